package org.springframework.security.web.authentication;

/** Test stand-in: the remote address and session id a form login records as its details. */
public class WebAuthenticationDetails {
	private final String remoteAddress;
	private final String sessionId;

	public WebAuthenticationDetails(String remoteAddress, String sessionId) {
		this.remoteAddress = remoteAddress;
		this.sessionId = sessionId;
	}

	public String getRemoteAddress() {
		return this.remoteAddress;
	}

	public String getSessionId() {
		return this.sessionId;
	}
}
