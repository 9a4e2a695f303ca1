package dev.ami.cluster;

import dev.ami.bus.Addresses;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.SnapshotOffer;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.SnapshotBytes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves this node's snapshots to the cluster: offers each newest one ({@link SnapshotOffer}) when it is published
 * here and every second, and answers chunk requests at {@code ami.params.fetch.<node>}. Each snapshot is encoded
 * once, on a worker, and kept until a newer one replaces it.
 */
public final class SnapshotServer extends VerticleBase {
  static final int CHUNK = 1 << 20;
  private static final long OFFER_MS = 1_000;

  private record Encoded(long version, String spec, byte[] bytes) {
    int chunks() {
      return Math.max(1, (bytes.length + CHUNK - 1) / CHUNK);
    }
  }

  private final Map<String, Future<Encoded>> encoded = new ConcurrentHashMap<>();
  private String node;
  private LocalMap<String, ParamSnapshot> params;

  @Override
  public Future<?> start() {
    node = config().getString(ClusterRuntime.NODE_KEY);
    params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    vertx.eventBus().<ParamsPublished>consumer(Addresses.PARAMS_PUBLISHED, m -> offer(m.body().key()));
    vertx.eventBus().<JsonObject>consumer(Addresses.SNAPSHOT_FETCH_PREFIX + node, this::fetch);
    vertx.setPeriodic(OFFER_MS, t -> params.keySet().forEach(this::offer));
    return Future.succeededFuture();
  }

  /** Offers the newest snapshot of {@code key} this node holds, encoding it first when it is new. */
  private void offer(String key) {
    ParamSnapshot s = params.get(key);
    if (s == null) {
      return;
    }
    encodingOf(key, s.version()).onSuccess(e -> vertx.eventBus().publish(Addresses.SNAPSHOT_OFFERS,
        new SnapshotOffer(node, key, e.version(), e.spec(), e.bytes().length, e.chunks(),
            System.currentTimeMillis())));
  }

  private Future<Encoded> encodingOf(String key, long version) {
    Future<Encoded> have = encoded.get(key);
    if (have != null && (!have.isComplete() || have.succeeded() && have.result().version() >= version)) {
      return have;
    }
    Future<Encoded> next = vertx.executeBlocking(() -> {
      ParamSnapshot s = params.get(key);
      if (s == null || !s.tryAcquire()) {
        throw new IllegalStateException(key + " is not here any more");
      }
      try {
        return new Encoded(s.version(), s.spec(), SnapshotBytes.encode(s));
      } finally {
        s.release();
      }
    }, false);
    encoded.put(key, next);
    return next;
  }

  /** {key, version, chunk} → that chunk; fails when this node no longer has that version. */
  private void fetch(Message<JsonObject> m) {
    String key = m.body().getString("key");
    long version = m.body().getLong("version", -1L);
    int chunk = m.body().getInteger("chunk", 0);
    Future<Encoded> f = encoded.get(key);
    if (f == null || !f.succeeded() || f.result().version() != version || chunk < 0 || chunk >= f.result().chunks()) {
      m.fail(404, key + "@" + version + " chunk " + chunk + " is not served here (any more)");
      return;
    }
    byte[] b = f.result().bytes();
    int from = chunk * CHUNK;
    m.reply(Buffer.buffer(java.util.Arrays.copyOfRange(b, from, Math.min(b.length, from + CHUNK))));
  }
}
