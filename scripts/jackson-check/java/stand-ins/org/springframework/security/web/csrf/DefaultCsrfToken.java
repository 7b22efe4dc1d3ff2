package org.springframework.security.web.csrf;

/** Test stand-in: the CSRF token Spring Security keeps in the session, read through getters. */
public final class DefaultCsrfToken {
	private final String headerName;
	private final String parameterName;
	private final String token;

	public DefaultCsrfToken(String headerName, String parameterName, String token) {
		this.headerName = headerName;
		this.parameterName = parameterName;
		this.token = token;
	}

	public String getHeaderName() {
		return this.headerName;
	}

	public String getParameterName() {
		return this.parameterName;
	}

	public String getToken() {
		return this.token;
	}
}
