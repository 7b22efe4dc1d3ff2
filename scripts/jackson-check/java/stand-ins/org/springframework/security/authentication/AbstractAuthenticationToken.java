package org.springframework.security.authentication;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/** Test stand-in with the fields, in declaration order, of Spring Security's class of this name. */
public abstract class AbstractAuthenticationToken implements Authentication {
	private final Collection<GrantedAuthority> authorities;
	private Object details;
	private boolean authenticated = false;

	protected AbstractAuthenticationToken(Collection<? extends GrantedAuthority> authorities) {
		this.authorities = authorities == null ? Collections.emptyList()
				: Collections.unmodifiableList(new ArrayList<>(authorities));
	}

	@Override
	public Collection<GrantedAuthority> getAuthorities() {
		return this.authorities;
	}

	@Override
	public Object getDetails() {
		return this.details;
	}

	public void setDetails(Object details) {
		this.details = details;
	}

	@Override
	public boolean isAuthenticated() {
		return this.authenticated;
	}

	protected void setAuthenticated(boolean authenticated) {
		this.authenticated = authenticated;
	}
}
