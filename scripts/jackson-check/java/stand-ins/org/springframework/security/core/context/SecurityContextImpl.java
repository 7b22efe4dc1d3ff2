package org.springframework.security.core.context;

import org.springframework.security.core.Authentication;

/**
 * Test stand-in for the class Spring Security stores under SPRING_SECURITY_CONTEXT. Like the real
 * one it has no Jackson mixin: Jackson writes it through its one getter, as "authentication".
 */
public class SecurityContextImpl implements SecurityContext {
	private Authentication authentication;

	public SecurityContextImpl() {
	}

	public SecurityContextImpl(Authentication authentication) {
		this.authentication = authentication;
	}

	@Override
	public Authentication getAuthentication() {
		return this.authentication;
	}

	@Override
	public void setAuthentication(Authentication authentication) {
		this.authentication = authentication;
	}
}
