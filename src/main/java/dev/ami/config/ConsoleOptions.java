package dev.ami.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The console's settings, read from the {@code console.*} keys; {@code tlsCert} and {@code tlsKey} are PEM files
 * (both empty: plain HTTP).
 */
public record ConsoleOptions(boolean enabled, String host, int port, String token, double telemetryHz,
                             String tlsCert, String tlsKey) {
  public ConsoleOptions(boolean enabled, String host, int port, String token, double telemetryHz) {
    this(enabled, host, port, token, telemetryHz, "", "");
  }

  public static ConsoleOptions from(AmiConfig c) {
    return new ConsoleOptions(c.getBool("console.enabled"), c.getString("console.host").trim(),
        c.getInt("console.port"), c.getString("console.token"), c.getDouble("console.telemetry_hz"),
        c.getString("console.tls.cert").trim(), c.getString("console.tls.key").trim());
  }

  /** True when the console serves HTTPS and WSS. */
  public boolean tls() {
    return !tlsCert.isEmpty();
  }

  /** Both TLS files or neither, and each readable: checked before anything starts. */
  public void requireTlsFiles() {
    if (tlsCert.isEmpty() != tlsKey.isEmpty()) {
      throw new ConfigException("console.tls.cert and console.tls.key go together: set both (PEM files) or neither");
    }
    for (String f : new String[] {tlsCert, tlsKey}) {
      if (!f.isEmpty() && !java.nio.file.Files.isReadable(java.nio.file.Path.of(f))) {
        throw new ConfigException("console TLS file " + f + " is not readable");
      }
    }
  }

  public boolean tokenRequired() {
    return !token.isEmpty();
  }

  /**
   * Refuses a console that would listen beyond this machine without a token: anyone who can reach the
   * port could otherwise pause or shut down the agent.
   */
  public void requireSafeBinding() {
    if (enabled && !tokenRequired() && !isLoopback(host)) {
      throw new ConfigException("console.host=" + host + " is not a loopback address: set console.token "
          + "(a shared secret every client must send) or bind 127.0.0.1");
    }
  }

  /** True for 127.0.0.0/8, ::1 and names that resolve only to them. */
  public static boolean isLoopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      for (InetAddress a : InetAddress.getAllByName(h)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      throw new ConfigException("console.host=" + host + " does not resolve: " + e.getMessage());
    }
  }
}
