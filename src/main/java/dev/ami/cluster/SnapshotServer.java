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
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Serves this node's snapshots to the cluster. It offers each newest one ({@link SnapshotOffer}: key and version)
 * when it is published here and every second, and encodes it only when another node asks for it
 * ({@code chunk: -1} at {@code ami.params.fetch.<node>} answers its size and chunk count; then the chunks). So a
 * node whose snapshots nobody needs (the agent node, while its trainer is newer) makes no garbage for them, and
 * the agent's JVM keeps its GC pauses short. Fetches are served from the newest two encodings, so one under way
 * survives the next publish; an encoding nobody asked for in a second is dropped, so it dies young instead of
 * being promoted and left for an old-generation collection (tens of MB per publish round otherwise).
 */
public final class SnapshotServer extends VerticleBase {
  private static final long OFFER_MS = 1_000;
  private static final long KEEP_NS = 1_000_000_000L;

  /** An encoding and when a fetch last asked for it. */
  private static final class Kept {
    final EncodedSnapshot encoding;
    long askedAt = System.nanoTime();

    Kept(EncodedSnapshot encoding) {
      this.encoding = encoding;
    }
  }

  /** Per key, event-loop confined: the last two finished encodings, and the one being made. */
  private final Map<String, Kept> newest = new HashMap<>();
  private final Map<String, Kept> before = new HashMap<>();
  private final Map<String, Future<EncodedSnapshot>> encoding = new HashMap<>();
  private String node;
  private LocalMap<String, ParamSnapshot> params;

  @Override
  public Future<?> start() {
    node = config().getString(ClusterRuntime.NODE_KEY);
    params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    // local: a publish on another node is that node's to offer
    vertx.eventBus().<ParamsPublished>localConsumer(Addresses.PARAMS_PUBLISHED, m -> offer(m.body().key()));
    vertx.eventBus().<JsonObject>consumer(Addresses.SNAPSHOT_FETCH_PREFIX + node, this::fetch);
    vertx.setPeriodic(OFFER_MS, t -> {
      params.keySet().forEach(this::offer);
      long now = System.nanoTime();
      newest.values().removeIf(k -> now - k.askedAt > KEEP_NS);
      before.values().removeIf(k -> now - k.askedAt > KEEP_NS);
    });
    return Future.succeededFuture();
  }

  /** Offers the newest snapshot of {@code key} this node holds; nothing is encoded until someone asks. */
  private void offer(String key) {
    ParamSnapshot s = params.get(key);
    if (s != null) {
      vertx.eventBus().publish(Addresses.SNAPSHOT_OFFERS, new SnapshotOffer(node, key, s.version(), s.spec(),
          System.currentTimeMillis()));
    }
  }

  /** The encoding of {@code key} at {@code version}: kept, being made, or made now on a worker. */
  private Future<EncodedSnapshot> encoded(String key, long version) {
    for (Kept k : new Kept[] {newest.get(key), before.get(key)}) {
      if (k != null && k.encoding.version() == version) {
        k.askedAt = System.nanoTime();
        return Future.succeededFuture(k.encoding);
      }
    }
    Future<EncodedSnapshot> pending = encoding.get(key);
    if (pending != null) {
      return pending.compose(e -> e.version() == version ? Future.succeededFuture(e) : gone(key, version));
    }
    ParamSnapshot s = params.get(key);
    if (s == null || s.version() != version) {
      return gone(key, version);
    }
    Future<EncodedSnapshot> made = vertx.executeBlocking(() -> encode(key), false);
    encoding.put(key, made);
    return made.andThen(r -> {
      encoding.remove(key, made);
      if (r.succeeded() && r.result() != null) {
        keep(r.result());
      }
    }).compose(e -> e != null && e.version() == version ? Future.succeededFuture(e) : gone(key, version));
  }

  private static <T> Future<T> gone(String key, long version) {
    return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404,
        key + "@" + version + " is not served here (any more)"));
  }

  /** On a worker: the newest snapshot of {@code key} as chunks; null when it went away meanwhile. */
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
    Kept old = newest.get(e.key());
    if (old == null || old.encoding.version() < e.version()) {
      if (old != null) {
        before.put(e.key(), old);
      }
      newest.put(e.key(), new Kept(e));
    }
  }

  /** {key, version, chunk}: chunk -1 → {bytes, chunks}; else that chunk; 404 when that version is gone. */
  private void fetch(Message<JsonObject> m) {
    String key = m.body().getString("key");
    long version = m.body().getLong("version", -1L);
    int chunk = m.body().getInteger("chunk", 0);
    encoded(key, version).onComplete(r -> {
      if (r.failed()) {
        m.fail(404, r.cause().getMessage());
      } else if (chunk == -1) {
        m.reply(new JsonObject().put("bytes", r.result().size()).put("chunks", r.result().chunks().size()));
      } else if (chunk < 0 || chunk >= r.result().chunks().size()) {
        m.fail(400, key + "@" + version + " has no chunk " + chunk);
      } else {
        m.reply(Buffer.buffer(r.result().chunks().get(chunk))); // wraps the chunk; it is never written
      }
    });
  }
}
