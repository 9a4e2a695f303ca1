package dev.ami.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Decides whether an HTTP request or WebSocket handshake may reach the console.
 *
 * <ul>
 *   <li>With a token configured, the request must carry it ({@code Authorization: Bearer}, {@code ?token=} or
 *       the {@code ami_token} cookie the page sets).</li>
 *   <li>An {@code Origin} header must be the console's own origin: a page on another site must not drive the
 *       agent through the visitor's browser (cross-site WebSocket hijacking, CSRF on the POST API).</li>
 *   <li>Without a token the console is loopback-only, so the {@code Host} must be a loopback name: a
 *       DNS-rebound site would otherwise count as "own origin".</li>
 * </ul>
 */
public final class AccessGuard {
  /** Why a request was refused, with the HTTP status to answer. */
  public record Denial(int status, String reason) {
  }

  /** The parts of a request the guard looks at; any may be null. */
  public record Credentials(String host, String origin, String authorization, String queryToken, String cookieToken) {
  }

  public static final String COOKIE = "ami_token";

  private final byte[] token;

  public AccessGuard(String token) {
    this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  public boolean tokenRequired() {
    return token != null;
  }

  /** Null when the request may proceed. */
  public Denial check(Credentials c) {
    if (token != null && !hasToken(c)) {
      return new Denial(401, "missing or wrong console token");
    }
    if (token == null && c.host() != null && !isLoopbackName(hostName(c.host()))) {
      return new Denial(403, "host '" + c.host() + "' refused: this console only answers on loopback");
    }
    if (c.origin() != null && !isOwnOrigin(c.origin(), c.host())) {
      return new Denial(403, "cross-origin request from '" + c.origin() + "' refused");
    }
    return null;
  }

  /** True when the token was supplied; used to decide whether the page should remember it in a cookie. */
  public boolean matches(String candidate) {
    return token != null && candidate != null
        && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
  }

  private boolean hasToken(Credentials c) {
    String auth = c.authorization();
    String bearer = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
    return matches(bearer) || matches(c.queryToken()) || matches(c.cookieToken());
  }

  private static boolean isOwnOrigin(String origin, String host) {
    if (host == null) {
      return false;
    }
    String o = origin.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    return o.equals("http://" + h) || o.equals("https://" + h);
  }

  /** The host part of a Host header ({@code name:port}, {@code [v6]:port}). */
  static String hostName(String hostHeader) {
    String h = hostHeader.trim();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(1, end);
    }
    int colon = h.lastIndexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  /** Literal loopback names only: a Host header is never resolved. */
  static boolean isLoopbackName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals("localhost") || n.equals("::1") || n.equals("0:0:0:0:0:0:0:1")
        || n.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }
}
