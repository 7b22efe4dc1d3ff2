import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.UUID;

import com.example.shop.Cart;
import com.fasterxml.jackson.annotation.JacksonAnnotation;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.TreeNode;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DatabindContext;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;
import com.fasterxml.jackson.databind.jsontype.TypeIdResolver;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.security.web.csrf.DefaultCsrfToken;

/**
 * Checks session attribute JSON against real Jackson, configured the two ways Spring Session
 * services configure it (written for this test from the behaviour of Spring Data Redis 3.x
 * GenericJackson2JsonRedisSerializer and Spring Security 6.x SecurityJackson2Modules):
 *
 * <ul>
 * <li>"generic": what {@code new GenericJackson2JsonRedisSerializer()} builds (default typing for
 * everything but primitives, their wrappers, enums, final java.* classes and tree nodes; class names
 * in "@class"), with the Spring Security stand-in module registered afterwards;</li>
 * <li>"security": a fresh ObjectMapper with the Spring Security stand-in module, whose default
 * typing (non-final types, "@class") only resolves allowlisted JDK classes and classes with Jackson
 * annotations or mixins.</li>
 * </ul>
 *
 * Reading picks the root type the way GenericJackson2JsonRedisSerializer does: the root object's
 * "@class" text if present, else Object. Empty text is null, and null is written as empty text.
 *
 * Protocol (UTF-8 JSON lines): first one line per built-in scenario,
 * {"scenario":name,"generic":json,"security":json}; then for each request line
 * {"id":..,"mapper":"generic"|"security","json":..} one answer line
 * {"id":..,"ok":true,"sig":..,"json":..} or {"id":..,"ok":false,"error":..}. "sig" is the Java class
 * tree of the value read, e.g. LinkedHashMap{a:Integer,b:ArrayList[Long]}.
 */
public final class SpringJsonCheck {

	private SpringJsonCheck() {
	}

	// ------------------------------------------------------------------ mappers

	/** Default typing with GenericJackson2JsonRedisSerializer's rules for which types get a type id. */
	static final class EverythingButNaturalTypes extends ObjectMapper.DefaultTypeResolverBuilder {
		private static final long serialVersionUID = 1L;

		EverythingButNaturalTypes(PolymorphicTypeValidator validator) {
			super(ObjectMapper.DefaultTyping.EVERYTHING, validator);
		}

		@Override
		public ObjectMapper.DefaultTypeResolverBuilder withDefaultImpl(Class<?> defaultImpl) {
			return this;
		}

		@Override
		public boolean useForType(JavaType type) {
			if (type.isJavaLangObject()) {
				return true;
			}
			JavaType t = type;
			while (t.isArrayType() || t.isReferenceType()) {
				t = t.isArrayType() ? t.getContentType() : t.getReferencedType();
			}
			Class<?> raw = t.getRawClass();
			if (t.isEnumType() || raw.isPrimitive() || isWrapper(raw)) {
				return false;
			}
			if (Modifier.isFinal(raw.getModifiers()) && raw.getPackageName().startsWith("java")) {
				return false;
			}
			return !TreeNode.class.isAssignableFrom(raw);
		}

		private static boolean isWrapper(Class<?> c) {
			return c == Boolean.class || c == Byte.class || c == Character.class || c == Short.class
					|| c == Integer.class || c == Long.class || c == Float.class || c == Double.class
					|| c == Void.class;
		}
	}

	/** Non-final default typing whose type ids resolve only allowlisted or annotated/mixed-in classes. */
	static final class AllowlistTyping extends ObjectMapper.DefaultTypeResolverBuilder {
		private static final long serialVersionUID = 1L;

		AllowlistTyping() {
			super(ObjectMapper.DefaultTyping.NON_FINAL, LaissezFaireSubTypeValidator.instance);
		}

		@Override
		protected TypeIdResolver idResolver(MapperConfig<?> config, JavaType baseType,
				PolymorphicTypeValidator validator, Collection<NamedType> subtypes, boolean forSer, boolean forDeser) {
			return new CheckedIds(super.idResolver(config, baseType, validator, subtypes, forSer, forDeser));
		}
	}

	static final class CheckedIds implements TypeIdResolver {
		static final Set<String> ALLOWED = Set.of("java.util.ArrayList", "java.util.Collections$EmptyList",
				"java.util.Collections$EmptyMap", "java.util.Collections$UnmodifiableRandomAccessList",
				"java.util.Collections$SingletonList", "java.util.Date", "java.time.Instant", "java.net.URL",
				"java.util.TreeMap", "java.util.HashMap", "java.util.LinkedHashMap",
				"org.springframework.security.core.context.SecurityContextImpl", "java.util.Arrays$ArrayList");

		private final TypeIdResolver delegate;

		CheckedIds(TypeIdResolver delegate) {
			this.delegate = delegate;
		}

		@Override
		public JavaType typeFromId(DatabindContext context, String id) throws IOException {
			JavaType type = this.delegate.typeFromId(context, id);
			Class<?> raw = type.getRawClass();
			if (ALLOWED.contains(raw.getName())
					|| ((DeserializationConfig) context.getConfig()).findMixInClassFor(raw) != null
					|| hasJacksonAnnotation(raw)) {
				return type;
			}
			throw new IllegalArgumentException("The class " + id + " is not in the allowlist");
		}

		private static boolean hasJacksonAnnotation(Class<?> c) {
			for (Class<?> k = c; k != null; k = k.getSuperclass()) {
				for (Annotation a : k.getDeclaredAnnotations()) {
					if (a.annotationType().isAnnotationPresent(JacksonAnnotation.class)) {
						return true;
					}
				}
			}
			return false;
		}

		@Override
		public void init(JavaType baseType) {
			this.delegate.init(baseType);
		}

		@Override
		public String idFromValue(Object value) {
			return this.delegate.idFromValue(value);
		}

		@Override
		public String idFromValueAndType(Object value, Class<?> suggestedType) {
			return this.delegate.idFromValueAndType(value, suggestedType);
		}

		@Override
		public String idFromBaseType() {
			return this.delegate.idFromBaseType();
		}

		@Override
		public String getDescForKnownTypeIds() {
			return this.delegate.getDescForKnownTypeIds();
		}

		@Override
		public JsonTypeInfo.Id getMechanism() {
			return this.delegate.getMechanism();
		}
	}

	static ObjectMapper genericMapper() {
		ObjectMapper mapper = new ObjectMapper();
		mapper.setDefaultTyping(new EverythingButNaturalTypes(mapper.getPolymorphicTypeValidator())
				.init(JsonTypeInfo.Id.CLASS, null).inclusion(JsonTypeInfo.As.PROPERTY));
		mapper.registerModule(new SecurityStandIns());
		return mapper;
	}

	static ObjectMapper securityMapper() {
		ObjectMapper mapper = new ObjectMapper();
		mapper.registerModule(new SecurityStandIns());
		return mapper;
	}

	// ------------------------------------------------------------------ Spring Security stand-in module

	/**
	 * Gives the stand-in security classes the JSON form Spring Security's core and web Jackson modules
	 * give the real ones, and turns on allowlisted default typing when the mapper has none yet.
	 */
	static final class SecurityStandIns extends SimpleModule {
		private static final long serialVersionUID = 1L;

		SecurityStandIns() {
			super("security-stand-ins");
		}

		@Override
		public void setupModule(SetupContext context) {
			ObjectMapper owner = context.getOwner();
			if (owner.getDeserializationConfig().getDefaultTyper(null) == null) {
				owner.setDefaultTyping(new AllowlistTyping().init(JsonTypeInfo.Id.CLASS, null)
						.inclusion(JsonTypeInfo.As.PROPERTY));
			}
			context.setMixInAnnotations(SimpleGrantedAuthority.class, AuthorityForm.class);
			context.setMixInAnnotations(User.class, UserForm.class);
			context.setMixInAnnotations(UsernamePasswordAuthenticationToken.class, TokenForm.class);
			context.setMixInAnnotations(WebAuthenticationDetails.class, DetailsForm.class);
			context.setMixInAnnotations(DefaultCsrfToken.class, CsrfTokenForm.class);
			context.setMixInAnnotations(Collections.unmodifiableSet(Set.of()).getClass(), TypedCollectionForm.class);
			context.setMixInAnnotations(Collections.unmodifiableList(List.of()).getClass(), TypedCollectionForm.class);
			context.setMixInAnnotations(Collections.unmodifiableMap(Map.of()).getClass(), TypedCollectionForm.class);
		}
	}

	@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY)
	abstract static class TypedCollectionForm {
	}

	@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY)
	@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE,
			getterVisibility = JsonAutoDetect.Visibility.PUBLIC_ONLY,
			isGetterVisibility = JsonAutoDetect.Visibility.NONE)
	@JsonIgnoreProperties(ignoreUnknown = true)
	abstract static class AuthorityForm {
		@JsonCreator
		AuthorityForm(@JsonProperty("authority") String authority) {
		}
	}

	@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY)
	@JsonDeserialize(using = UserReader.class)
	@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
			isGetterVisibility = JsonAutoDetect.Visibility.NONE)
	@JsonIgnoreProperties(ignoreUnknown = true)
	abstract static class UserForm {
	}

	@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY, property = "@class")
	@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
			isGetterVisibility = JsonAutoDetect.Visibility.NONE)
	@JsonDeserialize(using = TokenReader.class)
	abstract static class TokenForm {
	}

	@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY)
	@JsonIgnoreProperties(ignoreUnknown = true)
	@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
			isGetterVisibility = JsonAutoDetect.Visibility.NONE, creatorVisibility = JsonAutoDetect.Visibility.ANY)
	abstract static class DetailsForm {
		@JsonCreator
		DetailsForm(@JsonProperty("remoteAddress") String remoteAddress, @JsonProperty("sessionId") String sessionId) {
		}
	}

	@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY, property = "@class")
	@JsonIgnoreProperties(ignoreUnknown = true)
	abstract static class CsrfTokenForm {
		@JsonCreator
		CsrfTokenForm(@JsonProperty("headerName") String headerName,
				@JsonProperty("parameterName") String parameterName, @JsonProperty("token") String token) {
		}
	}

	static final class UserReader extends JsonDeserializer<User> {
		@Override
		public User deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
			ObjectMapper mapper = (ObjectMapper) p.getCodec();
			JsonNode node = mapper.readTree(p);
			Set<SimpleGrantedAuthority> authorities = mapper.convertValue(node.get("authorities"),
					new TypeReference<Set<SimpleGrantedAuthority>>() {
					});
			JsonNode password = node.path("password");
			User user = new User(node.path("username").asText(), password.asText(""), node.path("enabled").asBoolean(),
					node.path("accountNonExpired").asBoolean(), node.path("credentialsNonExpired").asBoolean(),
					node.path("accountNonLocked").asBoolean(), authorities);
			if (password.asText(null) == null) {
				user.eraseCredentials();
			}
			return user;
		}
	}

	static final class TokenReader extends JsonDeserializer<UsernamePasswordAuthenticationToken> {
		@Override
		public UsernamePasswordAuthenticationToken deserialize(JsonParser p, DeserializationContext ctxt)
				throws IOException {
			ObjectMapper mapper = (ObjectMapper) p.getCodec();
			JsonNode node = mapper.readTree(p);
			JsonNode principalNode = node.path("principal");
			Object principal = principalNode.isObject() ? mapper.readValue(principalNode.traverse(mapper), Object.class)
					: principalNode.asText();
			JsonNode credentialsNode = node.path("credentials");
			Object credentials = credentialsNode.isNull() || credentialsNode.isMissingNode() ? null
					: credentialsNode.asText();
			List<GrantedAuthority> authorities = mapper.readValue(node.path("authorities").traverse(mapper),
					new TypeReference<List<GrantedAuthority>>() {
					});
			UsernamePasswordAuthenticationToken token = node.path("authenticated").asBoolean()
					? UsernamePasswordAuthenticationToken.authenticated(principal, credentials, authorities)
					: UsernamePasswordAuthenticationToken.unauthenticated(principal, credentials);
			JsonNode details = node.path("details");
			token.setDetails(details.isNull() || details.isMissingNode() ? null
					: mapper.readValue(details.toString(), Object.class));
			return token;
		}
	}

	// ------------------------------------------------------------------ reading and writing like Spring

	static Object read(ObjectMapper mapper, String json) throws IOException {
		if (json.isEmpty()) {
			return null;
		}
		JsonNode root = mapper.readTree(json);
		JsonNode hint = root == null ? null : root.get("@class");
		JavaType type = hint instanceof TextNode ? mapper.getTypeFactory().constructFromCanonical(hint.asText())
				: mapper.getTypeFactory().constructType(Object.class);
		return mapper.readValue(json, type);
	}

	static String write(ObjectMapper mapper, Object value) throws IOException {
		return value == null ? "" : mapper.writeValueAsString(value);
	}

	// ------------------------------------------------------------------ class signatures

	static String sig(Object value) throws IllegalAccessException {
		if (value == null) {
			return "null";
		}
		Class<?> c = value.getClass();
		String name = shortName(c);
		if (value instanceof Map<?, ?> map) {
			StringJoiner parts = new StringJoiner(",", name + "{", "}");
			for (Map.Entry<?, ?> e : map.entrySet()) {
				parts.add(e.getKey() + ":" + sig(e.getValue()));
			}
			return parts.toString();
		}
		if (value instanceof Collection<?> items) {
			StringJoiner parts = new StringJoiner(",", name + "[", "]");
			for (Object item : items) {
				parts.add(sig(item));
			}
			return parts.toString();
		}
		if (c.isArray()) {
			if (c.getComponentType().isPrimitive()) {
				return name;
			}
			StringJoiner parts = new StringJoiner(",", name + "[", "]");
			for (Object item : (Object[]) value) {
				parts.add(sig(item));
			}
			return parts.toString();
		}
		if (c.isEnum() || c.getName().startsWith("java.")) {
			return name;
		}
		List<Class<?>> chain = new ArrayList<>();
		for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
			chain.add(0, k);
		}
		StringJoiner parts = new StringJoiner(",", name + "{", "}");
		for (Class<?> k : chain) {
			for (Field f : k.getDeclaredFields()) {
				if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
					continue;
				}
				f.setAccessible(true);
				parts.add(f.getName() + ":" + sig(f.get(value)));
			}
		}
		return parts.toString();
	}

	static String shortName(Class<?> c) {
		String n = c.getName();
		for (String pkg : new String[] { "java.lang.", "java.util.", "java.math." }) {
			if (n.startsWith(pkg) && n.indexOf('.', pkg.length()) < 0) {
				return n.substring(pkg.length());
			}
		}
		return n;
	}

	// ------------------------------------------------------------------ values Java writes

	static Map<String, Object> scenarios() {
		Map<String, Object> s = new LinkedHashMap<>();
		s.put("string", "Grüße, \"world\" ✓ \u2028");
		s.put("integer", 42);
		s.put("long", 9007199254740993L);
		s.put("double", 2.5);
		s.put("whole-double", 2.0);
		s.put("boolean", true);
		s.put("creation-time", 1700000000000L);
		s.put("max-inactive-interval", 1800);
		s.put("date", new Date(1700000000000L));
		s.put("big-integer", new BigInteger("123456789012345678901234567890"));
		s.put("big-decimal", new BigDecimal("1.50"));

		Map<String, Object> inner = new LinkedHashMap<>();
		inner.put("k", "v");
		s.put("list", new ArrayList<>(Arrays.asList(1, "two", 3.5, true, null, inner)));
		s.put("set", new LinkedHashSet<>(List.of("a", "b")));

		Map<String, Object> map = new LinkedHashMap<>();
		map.put("string", "s");
		map.put("int", 42);
		map.put("long", 5L);
		map.put("unsafeLong", 9007199254740993L);
		map.put("double", 1.5);
		map.put("wholeDouble", 2.0);
		map.put("negativeZero", -0.0);
		map.put("float", 1.25f);
		map.put("bool", false);
		map.put("nothing", null);
		map.put("bigInteger", new BigInteger("123456789012345678901234567890"));
		map.put("smallBigInteger", BigInteger.valueOf(7));
		map.put("bigDecimal", new BigDecimal("1.50"));
		map.put("date", new Date(1700000000000L));
		map.put("timestamp", new Timestamp(1700000000123L));
		map.put("list", new ArrayList<>(List.of(1, 2, 3)));
		map.put("longs", new ArrayList<>(List.of(1L, 9007199254740993L)));
		map.put("set", new LinkedHashSet<>(List.of("x", "y")));
		Map<String, Object> deep = new LinkedHashMap<>();
		deep.put("deep", true);
		Map<String, Object> nested = new LinkedHashMap<>();
		nested.put("inner", new ArrayList<>(List.of(deep)));
		map.put("nested", nested);
		map.put("day", DayOfWeek.MONDAY);
		map.put("uuid", UUID.fromString("c0456164-b0de-4aa0-bb78-371551eb8fed"));
		map.put("sorted", new TreeMap<>(Map.of("b", 2, "a", 1)));
		s.put("map", map);

		Map<String, Object> collections = new LinkedHashMap<>();
		collections.put("unmodifiableList", Collections.unmodifiableList(new ArrayList<>(List.of("a", "b"))));
		collections.put("unmodifiableSet", Collections.unmodifiableSet(new LinkedHashSet<>(List.of("a", "b"))));
		collections.put("listOf", List.of("a", "b", "c"));
		collections.put("listOfTwo", List.of("a", "b"));
		collections.put("setOfOne", Set.of("x"));
		collections.put("arraysAsList", Arrays.asList("a", "b"));
		collections.put("emptyList", Collections.emptyList());
		collections.put("singletonList", Collections.singletonList("only"));
		collections.put("treeSet", new java.util.TreeSet<>(List.of("b", "a")));
		collections.put("hashSet", new java.util.HashSet<>(List.of("a")));
		collections.put("unmodifiableMap", Collections.unmodifiableMap(new LinkedHashMap<>(Map.of("k", "v"))));
		collections.put("mapOf", Map.of("k", "v"));
		collections.put("stringArray", new String[] { "a", "b" });
		s.put("collections", collections);

		User user = new User("user", "secret", true, true, true, true,
				List.of(new SimpleGrantedAuthority("ROLE_USER"), new SimpleGrantedAuthority("ROLE_ADMIN")));
		UsernamePasswordAuthenticationToken token = UsernamePasswordAuthenticationToken.authenticated(user, "secret",
				user.getAuthorities());
		token.setDetails(new WebAuthenticationDetails("127.0.0.1", null));
		token.eraseCredentials();
		s.put("security-context", new SecurityContextImpl(token));

		Map<String, Object> extra = new LinkedHashMap<>();
		extra.put("count", 5L);
		extra.put("coupon", "WELCOME");
		s.put("bean", new Cart(9007199254740993L, new String[] { "gift", "express" }, new ArrayList<>(List.of("sku-1")),
				extra, 2.0));
		return s;
	}

	// ------------------------------------------------------------------ main

	public static void main(String[] args) throws Exception {
		ObjectMapper generic = genericMapper();
		ObjectMapper security = securityMapper();
		ObjectMapper protocol = new ObjectMapper();
		Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));

		for (Map.Entry<String, Object> e : scenarios().entrySet()) {
			ObjectNode line = protocol.createObjectNode();
			line.put("scenario", e.getKey());
			line.put("generic", write(generic, e.getValue()));
			line.put("security", write(security, e.getValue()));
			out.write(protocol.writeValueAsString(line) + "\n");
		}

		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		for (String text = in.readLine(); text != null; text = in.readLine()) {
			if (text.isBlank()) {
				continue;
			}
			JsonNode request = protocol.readTree(text);
			ObjectNode answer = protocol.createObjectNode();
			answer.set("id", request.get("id"));
			ObjectMapper mapper = "security".equals(request.path("mapper").asText()) ? security : generic;
			try {
				Object value = read(mapper, request.path("json").asText());
				answer.put("ok", true);
				answer.put("sig", sig(value));
				answer.put("json", write(mapper, value));
			}
			catch (Exception ex) {
				answer.put("ok", false);
				String message = String.valueOf(ex.getMessage());
				answer.put("error", ex.getClass().getSimpleName() + ": " + message.split("\n")[0]);
			}
			out.write(protocol.writeValueAsString(answer) + "\n");
		}
		out.flush();
	}
}
