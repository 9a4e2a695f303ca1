package dev.ami.cluster;

import dev.ami.bus.Addresses;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.SnapshotOffer;
import dev.ami.params.ChunkPool;
import dev.ami.params.EncodedSnapshot;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.SnapshotBytes;
import dev.ami.params.SnapshotChunk;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves this node's snapshots to the cluster. It offers each newest one ({@link SnapshotOffer}: key and version)
 * when it is published here and every second, and encodes it only when another node asks for it
 * ({@code chunk: -1} at {@code ami.params.fetch.<node>} answers its size and chunk count; then the chunks). So a
 * node whose snapshots nobody needs (the agent node, while its trainer is newer) makes nothing for them.
 * Fetches are served from the newest two encodings, so one under way survives the next publish; an encoding
 * nobody asked for in a second is dropped. Encodings live in reused direct chunks ({@link ChunkPool}), off the
 * Java heap; a reply copies its chunk, so a dropped encoding's chunks go back to the pool at the next sweep.
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
  /** Dropped since the last sweep: their chunks go back to the pool at the next one, when no reply reads them. */
  private final List<EncodedSnapshot> retired = new ArrayList<>();
  private final ChunkPool pool = new ChunkPool();
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
      retired.forEach(e -> pool.give(e.chunks()));
      retired.clear();
      long now = System.nanoTime();
      for (Map<String, Kept> kept : List.of(newest, before)) {
        kept.values().removeIf(k -> now - k.askedAt > KEEP_NS && retired.add(k.encoding));
      }
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
        List<ByteBuffer> taken = new ArrayList<>();
        try {
          return SnapshotBytes.encode(s, () -> {
            ByteBuffer b = pool.take();
            taken.add(b);
            return b;
          });
        } catch (RuntimeException e) {
          pool.give(taken);
          throw e;
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
      Kept gone = old == null ? null : before.put(e.key(), old);
      if (gone != null) {
        retired.add(gone.encoding);
      }
      newest.put(e.key(), new Kept(e));
      // room for two rounds of encodings (retired ones wait up to a sweep): their chunks are then all reused
      long chunks = newest.values().stream().mapToLong(k -> k.encoding.chunks().size()).sum();
      pool.keepFree(2 * chunks * SnapshotBytes.CHUNK);
    } else {
      retired.add(e); // the fetches waiting for it read it in this turn; it goes back at the next sweep
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
        // a copy: a reply written later (its connection still opening) must not read a chunk handed out again
        m.reply(new SnapshotChunk(ByteBuffer.wrap(r.result().chunk(chunk))));
      }
    });
  }
}
