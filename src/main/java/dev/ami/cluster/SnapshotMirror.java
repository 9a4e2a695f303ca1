package dev.ami.cluster;

import dev.ami.bus.Addresses;
import dev.ami.bus.Event;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.SnapshotOffer;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.SnapshotBytes;
import dev.ami.params.SnapshotChunk;
import dev.ami.params.SpareSnapshots;
import dev.ami.system.ThreadTuning;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.micrometer.backends.BackendRegistries;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors the cluster's newest snapshots into this node's local map {@code ami.params}, so the agent takes them
 * up exactly as in one JVM: on an offer newer than what is here it fetches the chunks, decodes them on a worker,
 * puts the snapshot in the map (only if still the newest) and announces it on this node alone. One fetch per
 * model at a time; an offer that comes meanwhile waits as the next one (only the newest is kept). An offer
 * missed (clustered delivery is at most once) comes again within a second.
 */
public final class SnapshotMirror extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotMirror.class);
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(10_000);
  private static final DeliveryOptions HERE = new DeliveryOptions().setLocalOnly(true);
  /** Largest snapshot accepted from an offer: beyond it the offer is taken for a broken peer. */
  private static final long MAX_BYTES = Integer.MAX_VALUE - 64;

  // event-loop confined
  private final Set<String> fetching = new HashSet<>();
  private final Map<String, Waiting> next = new HashMap<>();
  private final Set<String> mirrored = new HashSet<>();
  /** Chunks of each model's last fetch. */
  private final Map<String, Integer> chunksOf = new HashMap<>();
  private final Promise<Void> settled = Promise.promise();
  /** The memory of each model's replaced snapshot, decoded into again: no page faults on a decode. */
  private final SpareSnapshots spares = new SpareSnapshots();
  private volatile boolean stopped;

  /** An offer waiting for the fetch of its model under way, and since when. */
  private record Waiting(SnapshotOffer offer, long sinceNanos) {
  }
  private Future<?> lastDecode = Future.succeededFuture();
  private String node;
  private LocalMap<String, ParamSnapshot> params;
  private Timer fetchTime;
  private MeterRegistry registry;
  private long lastFetchEnded;
  private long firstOfferAt;
  private JsonObject limits; // model key → largest snapshot in bytes; null = the wire's limit only
  private final Set<String> refusedKeys = new HashSet<>();

  @Override
  public Future<?> start() {
    node = config().getString(ClusterRuntime.NODE_KEY);
    int others = config().getInteger(ClusterRuntime.OTHERS_KEY, 0);
    limits = config().getJsonObject(ClusterRuntime.LIMITS_KEY);
    params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    registry = BackendRegistries.getDefaultNow();
    if (registry == null) {
      registry = new SimpleMeterRegistry();
    }
    fetchTime = Timer.builder("ami.cluster.snapshot.fetch").description("offer to snapshot in this node's map")
        .publishPercentiles(0.5, 0.99).register(registry);
    Gauge.builder("ami.cluster.snapshot.spare", spares, SpareSnapshots::bytes).baseUnit("bytes").tag("node", node)
        .description("memory of replaced snapshots kept for the next decode").register(registry);
    vertx.eventBus().<SnapshotOffer>consumer(Addresses.SNAPSHOT_OFFERS, m -> onOffer(m.body(), 0));
    if (others == 0) {
      settled.complete(); // the first node of the cluster: nobody has anything to offer
    }
    // settled once what the other nodes offer is here: 1.5 s after their first offer, nothing in flight
    vertx.setPeriodic(250, t -> {
      long now = System.currentTimeMillis();
      boolean caughtUp = firstOfferAt > 0 && fetching.isEmpty() && now - Math.max(firstOfferAt, lastFetchEnded) > 1_500;
      if (caughtUp && settled.tryComplete() || settled.future().isComplete()) {
        vertx.cancelTimer(t);
      }
    });
    return Future.succeededFuture();
  }

  /** Completes once the snapshots the cluster offered at start are in this node's map (or nobody else is there). */
  public Future<Void> settled() {
    return settled.future();
  }

  /** @param queuedNanos how long this offer waited for the fetch before it (0 when it did not wait) */
  private void onOffer(SnapshotOffer o, long queuedNanos) {
    if (o.node().equals(node) || stopped) {
      return;
    }
    if (o.key() == null || (limits != null && !limits.containsKey(o.key()))) {
      if (refusedKeys.add(String.valueOf(o.key()))) { // once per key: a peer that repeats it every second
        LOG.warn("node {} offers a snapshot of {}, which this node's models do not have: refused", o.node(), o.key());
      }
      return;
    }
    if (firstOfferAt == 0) {
      firstOfferAt = System.currentTimeMillis();
    }
    ParamSnapshot here = params.get(o.key());
    if (here != null && here.version() >= o.version()) {
      return;
    }
    if (fetching.contains(o.key())) {
      Waiting waiting = next.get(o.key());
      if (waiting == null || waiting.offer().version() < o.version()) {
        next.put(o.key(), new Waiting(o, System.nanoTime()));
      }
      return;
    }
    fetching.add(o.key());
    long t0 = System.nanoTime();
    JsonObject trace = new JsonObject().put("version", o.version()).put("queued_ns", queuedNanos);
    fetchChunks(o, trace)
        .compose(chunks -> {
          long d0 = System.nanoTime();
          // on the worker: start, end, page faults, into a spare's memory (1) or not; read once it completes
          long[] ran = new long[4];
          Future<ParamSnapshot> decoded = vertx.executeBlocking(() -> decode(o, chunks, ran), false).andThen(r -> {
            // decode: submitted → back on this event loop; split into the wait for a worker and the run
            stage(trace, "decode", System.nanoTime() - d0);
            trace.put("decode_wait_ns", ran[0] - d0).put("decode_run_ns", ran[1] - ran[0])
                .put("decode_faults", ran[2]).put("decode_reused", ran[3] == 1);
          });
          lastDecode = decoded;
          return decoded;
        })
        .onSuccess(s -> install(o, s, t0, trace))
        .onFailure(e -> {
          // superseded while it was fetched (the server keeps its newest two): the next offer brings a newer one
          if (e instanceof ReplyException r && r.failureCode() == 404) {
            LOG.debug("snapshot {}@{} superseded while fetched", o.key(), o.version());
          } else if (!stopped) {
            LOG.warn("snapshot {}@{} from node {} not fetched: {}", o.key(), o.version(), o.node(), e.getMessage());
          }
        })
        .onComplete(r -> {
          fetching.remove(o.key());
          lastFetchEnded = System.currentTimeMillis();
          Waiting waiting = next.remove(o.key());
          if (waiting != null) {
            long queued = System.nanoTime() - waiting.sinceNanos();
            stage(null, "queued", queued);
            onOffer(waiting.offer(), queued);
          }
        });
  }

  /**
   * On a worker: the snapshot, checked against its offer, read straight from the chunks as they came; their
   * buffers go back to {@link SnapshotChunk#RECEIVED} whatever the outcome. {@code ran}: its start, its end,
   * the page faults it took (-1 where unknown) and 1 if it reused a spare's memory, for the fetch's trace.
   */
  private ParamSnapshot decode(SnapshotOffer o, List<ByteBuffer> chunks, long[] ran) {
    ran[0] = System.nanoTime();
    long faults = ThreadTuning.minorFaultsCurrent();
    long reused = spares.reused(o.key()); // one decode per model at a time: the count is this one's
    try {
      ParamSnapshot s = SnapshotBytes.decode(chunks, chunks.stream().mapToLong(ByteBuffer::remaining).sum(), spares);
      if (!o.key().equals(s.key()) || s.version() != o.version()) {
        s.release();
        throw new IllegalArgumentException("the bytes hold " + s.key() + "@" + s.version());
      }
      return s;
    } finally {
      SnapshotChunk.RECEIVED.give(chunks);
      ran[1] = System.nanoTime();
      ran[2] = faults < 0 ? -1 : ThreadTuning.minorFaultsCurrent() - faults;
      ran[3] = spares.reused(o.key()) - reused;
    }
  }

  /**
   * Asks the offering node for the snapshot's size (it encodes it then), then for every chunk at once (they are
   * independent); the chunks in order, as they came.
   */
  private Future<List<ByteBuffer>> fetchChunks(SnapshotOffer o, JsonObject trace) {
    JsonObject meta = new JsonObject().put("key", o.key()).put("version", o.version()).put("chunk", -1);
    long m0 = System.nanoTime();
    return vertx.eventBus().<JsonObject>request(Addresses.SNAPSHOT_FETCH_PREFIX + o.node(), meta, ASK)
        .compose(m -> {
          stage(trace, "meta", System.nanoTime() - m0);
          long bytes = m.body().getLong("bytes", 0L);
          int chunks = m.body().getInteger("chunks", 0);
          long limit = limits == null ? MAX_BYTES : Math.min(MAX_BYTES, limits.getLong(o.key()));
          if (bytes <= 0 || bytes > limit || chunks != (bytes + SnapshotBytes.CHUNK - 1) / SnapshotBytes.CHUNK) {
            return Future.failedFuture("node " + o.node() + " offers " + bytes + " bytes in " + chunks + " chunks (at "
                + "most " + limit + " for " + o.key() + " with this node's models)");
          }
          chunksOf.put(o.key(), chunks);
          // room for every model's fetch at once: a fetch's buffers come back when it is decoded
          SnapshotChunk.RECEIVED.keepFree(chunksOf.values().stream().mapToLong(Integer::longValue).sum()
              * SnapshotBytes.CHUNK);
          return fetchChunks(o, bytes, chunks, trace);
        });
  }

  private Future<List<ByteBuffer>> fetchChunks(SnapshotOffer o, long bytes, int count, JsonObject trace) {
    long c0 = System.nanoTime();
    List<Future<ByteBuffer>> parts = new ArrayList<>();
    for (int chunk = 0; chunk < count; chunk++) {
      JsonObject ask = new JsonObject().put("key", o.key()).put("version", o.version()).put("chunk", chunk);
      parts.add(vertx.eventBus().<SnapshotChunk>request(Addresses.SNAPSHOT_FETCH_PREFIX + o.node(), ask, ASK)
          .map(m -> m.body().bytes()));
    }
    return Future.join(parts).transform(all -> {
      List<ByteBuffer> chunks = new ArrayList<>(parts.size());
      for (Future<ByteBuffer> p : parts) {
        if (p.succeeded()) {
          chunks.add(p.result());
        }
      }
      long got = chunks.stream().mapToLong(ByteBuffer::remaining).sum();
      if (all.failed() || got != bytes) {
        SnapshotChunk.RECEIVED.give(chunks); // nothing reads them now
        return all.failed() ? Future.failedFuture(all.cause())
            : Future.failedFuture("got " + got + " bytes, the node said " + bytes);
      }
      stage(trace, "chunks", System.nanoTime() - c0);
      trace.put("bytes", got);
      return Future.succeededFuture(chunks);
    });
  }

  /**
   * Time spent in one stage of a fetch (queued behind another, meta: the server encodes, chunks, decode), in
   * the meters and in the fetch's trace when it has one.
   */
  private void stage(JsonObject trace, String name, long nanos) {
    if (trace != null) {
      trace.put(name + "_ns", nanos);
    }
    Timer.builder("ami.cluster.snapshot.stage").tag("stage", name).publishPercentiles(0.5, 0.99)
        .register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Puts {@code s} into the map unless something at least as new got there first; announces it here. */
  private void install(SnapshotOffer o, ParamSnapshot s, long t0, JsonObject trace) {
    if (stopped) {
      s.release(); // the runtime is freeing the map: nothing may be added to it now
      return;
    }
    while (true) {
      ParamSnapshot cur = params.get(o.key());
      if (cur != null && cur.version() >= s.version()) {
        s.release();
        return;
      }
      boolean put = cur == null ? params.putIfAbsent(o.key(), s) == null : params.replaceIfPresent(o.key(), cur, s);
      if (put) {
        if (cur != null) {
          cur.release();
        }
        break;
      }
    }
    fetchTime.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    vertx.sharedData().<String, JsonObject>getLocalMap(ClusterRuntime.FETCHED_MAP).put(o.key(), trace);
    LOG.debug("snapshot {}@{} mirrored in {} ms, offered {} ms ago", o.key(), o.version(),
        (System.nanoTime() - t0) / 1_000_000, System.currentTimeMillis() - o.wallMillis());
    vertx.eventBus().publish(Addresses.PARAMS_PUBLISHED, new ParamsPublished(o.key(), s.version(), s.trainerStep(),
        s.createdNanos(), ParamsPublished.wallMicrosNow()), HERE);
    if (mirrored.add(o.key())) { // the first of each model; later ones are in the meters
      vertx.eventBus().publish(Addresses.EVENTS, Event.info("snapshot-mirrored",
          o.key() + " v" + s.version() + " mirrored from node " + o.node() + " to node " + node), HERE);
    }
  }

  /**
   * Waits out a decode under way (what it yields is released by {@link #install}, not installed), then frees
   * the spares; snapshots freed later free their memory at once.
   */
  @Override
  public Future<?> stop() {
    stopped = true;
    return lastDecode.otherwiseEmpty().andThen(r -> spares.close());
  }
}
