package org.springframework.security.core.userdetails;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.security.core.GrantedAuthority;

/**
 * Test stand-in with the fields, in declaration order, that Spring Security's User has; like the
 * real one it keeps its authorities sorted in an unmodifiable Set.
 */
public class User {
	private String password;
	private final String username;
	private final Set<GrantedAuthority> authorities;
	private final boolean accountNonExpired;
	private final boolean accountNonLocked;
	private final boolean credentialsNonExpired;
	private final boolean enabled;

	public User(String username, String password, boolean enabled, boolean accountNonExpired,
			boolean credentialsNonExpired, boolean accountNonLocked, Collection<? extends GrantedAuthority> authorities) {
		this.username = username;
		this.password = password;
		this.enabled = enabled;
		this.accountNonExpired = accountNonExpired;
		this.credentialsNonExpired = credentialsNonExpired;
		this.accountNonLocked = accountNonLocked;
		Set<GrantedAuthority> sorted = new TreeSet<>(Comparator.comparing(GrantedAuthority::getAuthority));
		sorted.addAll(authorities);
		this.authorities = Collections.unmodifiableSet(sorted);
	}

	public String getUsername() {
		return this.username;
	}

	public String getPassword() {
		return this.password;
	}

	public Collection<GrantedAuthority> getAuthorities() {
		return this.authorities;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void eraseCredentials() {
		this.password = null;
	}
}
