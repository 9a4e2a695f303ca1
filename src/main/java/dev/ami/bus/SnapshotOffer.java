package dev.ami.bus;

/**
 * A node of the cluster has this snapshot and serves its bytes at {@code ami.params.fetch.<node>}: published on
 * every local publish and every second, so a node that missed one (clustered delivery is at most once) or
 * joined late catches up.
 *
 * @param node the serving node's id; its size and chunk count are asked for at fetch time (it encodes on demand)
 */
public record SnapshotOffer(String node, String key, long version, String spec, long wallMillis) {
}
