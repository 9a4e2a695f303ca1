package dev.ami.cluster;

import dev.ami.config.ConsoleOptions;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One node of a cluster: the roles it plays, the members it joins over TCP-IP (no multicast, no auto-detection),
 * the interface and port it binds (Hazelcast's port; the event bus takes a free one on the same interface).
 *
 * @param roles a subset of agent, trainer, console
 * @param busPort the event bus's TCP port; 0 = a free one (set it where a firewall must let it through)
 * @param name the cluster's name: nodes join only a cluster of the same name
 * @param node this node's id, the suffix of its own addresses
 * @param tls the node's folder from {@code cluster-init} (node.key, node.crt, ca.crt): the event bus then speaks
 *     mutual TLS and takes only peers whose certificate that CA signed; null = no TLS
 */
public record ClusterOptions(Set<String> roles, List<String> members, String bind, int port, int busPort,
                             String name, String node, java.nio.file.Path tls) {
  public ClusterOptions(Set<String> roles, List<String> members, String bind, int port, int busPort, String name,
                        String node) {
    this(roles, members, bind, port, busPort, name, node, null);
  }

  /** The same node with TLS from {@code dir} (or none). */
  public ClusterOptions withTls(java.nio.file.Path dir) {
    return new ClusterOptions(roles, members, bind, port, busPort, name, node, dir);
  }

  /**
   * Refuses, before any socket opens, a node that every interface could reach ({@code 0.0.0.0}, {@code ::}), one
   * bound beyond loopback without certificates (unless {@code insecure}), and a TLS folder that lacks a file.
   *
   * @throws IllegalArgumentException with one sentence saying why and what to do
   */
  public void requireSafe(boolean insecure) {
    String h = bind.startsWith("[") && bind.endsWith("]") ? bind.substring(1, bind.length() - 1) : bind;
    if (h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0")) {
      throw new IllegalArgumentException("--bind " + bind + " (every interface) is not supported: Hazelcast and the "
          + "event bus listen on one interface, so give that interface's address, e.g. --bind 192.168.1.20");
    }
    if (tls == null && !insecure && !ConsoleOptions.isLoopback(h)) {
      throw new IllegalArgumentException("--bind " + bind + " is not a loopback address: give this node its "
          + "certificates (--tls DIR/NAME, made by cluster-init) or, on a network you trust, --insecure "
          + "(docs/security.md)");
    }
    if (tls != null) {
      for (String f : List.of("node.key", "node.crt", "ca.crt")) {
        if (!java.nio.file.Files.isReadable(tls.resolve(f))) {
          throw new IllegalArgumentException("--tls " + tls + " has no readable " + f + " (make it with "
              + "cluster-init --out DIR --nodes NAME)");
        }
      }
    }
  }
  /** Hazelcast's default port: the only one from which a node may move up to the next free one. */
  public static final int DEFAULT_PORT = 5701;
  public static final List<String> ROLES = List.of("agent", "trainer", "console", "all");

  /** From the command line's words; {@code role} is one of {@link #ROLES}. */
  public static ClusterOptions of(String role, List<String> members, String bind, int port) {
    return of(role, members, bind, port, 0, "ami");
  }

  /** As {@link #of(String, List, String, int)}, with the event bus on {@code busPort}, in cluster {@code name}. */
  public static ClusterOptions of(String role, List<String> members, String bind, int port, int busPort,
                                  String name) {
    if (!ROLES.contains(role)) {
      throw new IllegalArgumentException("--role must be one of " + String.join(", ", ROLES) + ", was " + role);
    }
    Set<String> roles = role.equals("all") ? Set.of("agent", "trainer", "console") : Set.of(role);
    List<String> joined = members == null || members.isEmpty() ? List.of(bind) : List.copyOf(members);
    return new ClusterOptions(roles, joined, bind, port, busPort, name,
        UUID.randomUUID().toString().substring(0, 8));
  }

  public boolean agent() {
    return roles.contains("agent");
  }

  public boolean trainer() {
    return roles.contains("trainer");
  }

  public boolean console() {
    return roles.contains("console");
  }
}
