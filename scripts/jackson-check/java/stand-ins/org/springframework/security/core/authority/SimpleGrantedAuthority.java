package org.springframework.security.core.authority;

import org.springframework.security.core.GrantedAuthority;

/** Test stand-in: a final class holding the role in a field named "role", exposed as getAuthority(). */
public final class SimpleGrantedAuthority implements GrantedAuthority {
	private final String role;

	public SimpleGrantedAuthority(String role) {
		this.role = role;
	}

	@Override
	public String getAuthority() {
		return this.role;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof SimpleGrantedAuthority that && this.role.equals(that.role);
	}

	@Override
	public int hashCode() {
		return this.role.hashCode();
	}
}
