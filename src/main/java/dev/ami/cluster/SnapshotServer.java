package dev.ami.cluster;

import dev.ami.bus.Addresses;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.SnapshotOffer;
import dev.ami.params.EncodedSnapshot;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.SnapshotBytes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Serves this node's snapshots to the cluster: offers each newest one ({@link SnapshotOffer}) when it is published
 * here and every second, and answers chunk requests at {@code ami.params.fetch.<node>}. A snapshot is encoded once,
 * on a worker (or not at all: a mirrored one is served from the bytes that came in). Fetches are served from the
 * newest finished encoding and the one before it, so a fetch under way survives the next publish.
 */
public final class SnapshotServer extends VerticleBase {
  private static final long OFFER_MS = 1_000;

  /** Per key, event-loop confined: the last two finished encodings, and the one being made. */
  private final Map<String, EncodedSnapshot> newest = new HashMap<>();
  private final Map<String, EncodedSnapshot> before = new HashMap<>();
  private final Map<String, Long> encoding = new HashMap<>();
  private String node;
  private LocalMap<String, ParamSnapshot> params;
  private LocalMap<String, EncodedSnapshot> received;

  @Override
  public Future<?> start() {
    node = config().getString(ClusterRuntime.NODE_KEY);
    params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    received = vertx.sharedData().getLocalMap(ClusterRuntime.RECEIVED_MAP);
    // local: a publish on another node is that node's to offer
    vertx.eventBus().<ParamsPublished>localConsumer(Addresses.PARAMS_PUBLISHED, m -> offer(m.body().key()));
    vertx.eventBus().<JsonObject>consumer(Addresses.SNAPSHOT_FETCH_PREFIX + node, this::fetch);
    vertx.setPeriodic(OFFER_MS, t -> params.keySet().forEach(this::offer));
    return Future.succeededFuture();
  }

  /** Offers the newest snapshot of {@code key} this node holds, once its bytes are ready. */
  private void offer(String key) {
    ParamSnapshot s = params.get(key);
    if (s == null) {
      return;
    }
    EncodedSnapshot have = newest.get(key);
    if (have != null && have.version() >= s.version()) {
      publishOffer(have);
      return;
    }
    EncodedSnapshot in = received.get(key);
    if (in != null && in.version() == s.version()) {
      keep(in); // mirrored here: serve the bytes that came in
      publishOffer(in);
      return;
    }
    if (encoding.getOrDefault(key, -1L) >= s.version()) {
      return; // offered when that encoding is done
    }
    encoding.put(key, s.version());
    vertx.executeBlocking(() -> encode(key), false).onComplete(r -> {
      encoding.remove(key);
      if (r.succeeded() && r.result() != null) {
        keep(r.result());
        publishOffer(newest.get(key));
      }
    });
  }

  /** On a worker: the newest snapshot of {@code key} as bytes; null when it went away meanwhile. */
  private EncodedSnapshot encode(String key) {
    for (int tries = 0; tries < 3; tries++) {
      ParamSnapshot s = params.get(key);
      if (s == null) {
        return null;
      }
      if (s.tryAcquire()) {
        try {
          return SnapshotBytes.encode(s);
        } finally {
          s.release();
        }
      }
    }
    return null;
  }

  private void keep(EncodedSnapshot e) {
    EncodedSnapshot old = newest.get(e.key());
    if (old == null || old.version() < e.version()) {
      if (old != null) {
        before.put(e.key(), old);
      }
      newest.put(e.key(), e);
    }
  }

  private void publishOffer(EncodedSnapshot e) {
    vertx.eventBus().publish(Addresses.SNAPSHOT_OFFERS, new SnapshotOffer(node, e.key(), e.version(), e.spec(),
        e.size(), e.chunks().size(), System.currentTimeMillis()));
  }

  /** {key, version, chunk} → that chunk; fails (404) when this node no longer has that version. */
  private void fetch(Message<JsonObject> m) {
    String key = m.body().getString("key");
    long version = m.body().getLong("version", -1L);
    int chunk = m.body().getInteger("chunk", 0);
    EncodedSnapshot e = newest.get(key);
    if (e == null || e.version() != version) {
      e = before.get(key);
    }
    if (e == null || e.version() != version || chunk < 0 || chunk >= e.chunks().size()) {
      m.fail(404, key + "@" + version + " chunk " + chunk + " is not served here (any more)");
      return;
    }
    m.reply(Buffer.buffer(e.chunks().get(chunk))); // wraps the chunk; it is never written
  }
}
