package org.springframework.security.core;

/** Test stand-in with the shape Spring Security's type of this name has (not Spring's code). */
public interface GrantedAuthority {
	String getAuthority();
}
