package org.springframework.security.core.context;

import org.springframework.security.core.Authentication;

/** Test stand-in with the shape Spring Security's type of this name has (not Spring's code). */
public interface SecurityContext {
	Authentication getAuthentication();

	void setAuthentication(Authentication authentication);
}
