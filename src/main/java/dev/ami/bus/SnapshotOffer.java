package dev.ami.bus;

/**
 * A node of the cluster has this snapshot and serves its bytes at {@code ami.params.fetch.<node>}: published on
 * every local publish and every second, so a node that missed one (clustered delivery is at most once) or
 * joined late catches up.
 *
 * @param node the serving node's id
 * @param bytes encoded size, or 0 when the node encodes only on demand (ask it: chunk -1)
 * @param chunks pieces it is fetched in, or 0 as for {@code bytes}
 */
public record SnapshotOffer(String node, String key, long version, String spec, long bytes, int chunks,
                            long wallMillis) {
}
