package dev.ami.cluster;

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
 */
public record ClusterOptions(Set<String> roles, List<String> members, String bind, int port, int busPort,
                             String name, String node) {
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
