package dev.ami.bus;

import java.util.List;

/** A cluster node is alive and plays these roles; published every second by every node. */
public record NodeBeat(String node, List<String> roles, long wallMillis) {
}
