package org.springframework.security.core;

import java.util.Collection;

/** Test stand-in with the shape Spring Security's type of this name has (not Spring's code). */
public interface Authentication {
	Collection<? extends GrantedAuthority> getAuthorities();

	Object getCredentials();

	Object getDetails();

	Object getPrincipal();

	boolean isAuthenticated();
}
