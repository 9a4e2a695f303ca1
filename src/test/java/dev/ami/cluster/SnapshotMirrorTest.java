package dev.ami.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.params.SnapshotCodecs;
import ai.djl.ndarray.NDManager;
import dev.ami.bus.Addresses;
import dev.ami.bus.Codecs;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.SnapshotOffer;
import dev.ami.params.EncodedSnapshot;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.SnapshotBytes;
import dev.ami.params.SnapshotChunk;
import dev.ami.support.Await;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The mirror on one Vert.x, a stand-in peer beside it that answers fetches as {@link SnapshotServer} does and notes
 * every request: what the mirror asks for, and what lands in this node's map.
 */
@DisplayName("the snapshot mirror")
@ExtendWith(VertxExtension.class)
class SnapshotMirrorTest {
  private static final String PEER = "peer";
  private static final String HERE = "here";
  /** The largest snapshot of model k this node takes: far above a real one of 1000 floats. */
  private static final long LIMIT = 64 * 1024;

  /** What the peer serves, by version of model k. */
  private final Map<Long, EncodedSnapshot> served = new ConcurrentHashMap<>();
  /** Versions whose size the peer overstates: LIMIT + 1 bytes. */
  private final List<Long> oversized = new CopyOnWriteArrayList<>();
  /** Every fetch request the peer got: {key, version, chunk}. */
  private final List<JsonObject> asked = new CopyOnWriteArrayList<>();
  /** The mirror's announcements on this node. */
  private final List<ParamsPublished> published = new CopyOnWriteArrayList<>();
  private Vertx vertx;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    Codecs.registerAll(vertx.eventBus(), SnapshotCodecs.ALL);
    for (String node : List.of(PEER, HERE)) { // this node's own address too: a fetch from itself would show
      vertx.eventBus().<JsonObject>consumer(Addresses.SNAPSHOT_FETCH_PREFIX + node, m -> answer(node, m));
    }
    vertx.eventBus().<ParamsPublished>consumer(Addresses.PARAMS_PUBLISHED, m -> published.add(m.body()));
    JsonObject config = new JsonObject().put(ClusterRuntime.NODE_KEY, HERE).put(ClusterRuntime.OTHERS_KEY, 1)
        .put(ClusterRuntime.LIMITS_KEY, new JsonObject().put("k", LIMIT));
    vertx.deployVerticle(new SnapshotMirror(), new DeploymentOptions().setConfig(config))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Answers a fetch as the peer's server would: {key, version, chunk -1} its size, else that chunk. */
  private void answer(String node, Message<JsonObject> m) {
    asked.add(m.body().copy().put("node", node));
    EncodedSnapshot e = "k".equals(m.body().getString("key")) ? served.get(m.body().getLong("version")) : null;
    int chunk = m.body().getInteger("chunk");
    if (e == null) {
      m.fail(404, "not served");
    } else if (chunk == -1) {
      long bytes = oversized.contains(e.version()) ? LIMIT + 1 : e.size();
      m.reply(new JsonObject().put("bytes", bytes).put("chunks", (bytes + SnapshotBytes.CHUNK - 1) / SnapshotBytes.CHUNK));
    } else {
      m.reply(new SnapshotChunk(ByteBuffer.wrap(e.chunk(chunk))));
    }
  }

  @AfterEach
  void release() {
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    params.values().forEach(ParamSnapshot::release);
    params.clear();
  }

  /** The peer serves model k at {@code version}: 1000 floats, each {@code version}; its release frees them. */
  private void serve(long version) {
    NDManager manager = NDManager.newBaseManager();
    ParamSnapshot s = ParamSnapshot.restored("k", version, 10 * version, "spec",
        Map.of("w", List.of(manager.ones(new ai.djl.ndarray.types.Shape(1000)).mul(version))), manager);
    served.put(version, SnapshotBytes.encode(s));
    s.release();
  }

  private void offer(String node, String key, long version) {
    vertx.eventBus().publish(Addresses.SNAPSHOT_OFFERS, new SnapshotOffer(node, key, version, "spec",
        System.currentTimeMillis()));
  }

  private void awaitMirrored(long version) throws Exception {
    Await.until(Await.MINUTE, () -> published.stream().anyMatch(p -> p.version() == version),
        () -> "k v" + version + " mirrored; the peer was asked " + asked);
  }

  private List<JsonObject> askedFor(long version) {
    return asked.stream().filter(a -> a.getLong("version") == version).toList();
  }

  private ParamSnapshot here() {
    return vertx.sharedData().<String, ParamSnapshot>getLocalMap(Addresses.PARAMS_MAP).get("k");
  }

  @Test
  @DisplayName("an offer larger than this node's model can be is refused before a chunk is asked for; the next one "
      + "that fits is mirrored")
  void refusesOversizedOffer() throws Exception {
    serve(1);
    oversized.add(1L);
    serve(2);
    offer(PEER, "k", 1);
    offer(PEER, "k", 2); // handled after the first one: its mirroring comes after the refusal
    awaitMirrored(2);
    assertThat(askedFor(1)).as("only the size was asked for").extracting(a -> a.getInteger("chunk"))
        .containsExactly(-1);
    assertThat(askedFor(2)).extracting(a -> a.getInteger("chunk")).contains(-1, 0);
    assertThat(published).extracting(ParamsPublished::version).containsExactly(2L);
    assertThat(here().version()).isEqualTo(2);
    assertThat(here().group("w").get(0).toFloatArray()).as("the values as served").containsOnly(2f);
  }

  @Test
  @DisplayName("versions only grow: an offer older than what is here is not even fetched; a newer one replaces it")
  void versionsOnlyGrow() throws Exception {
    for (long v : new long[] {2, 3, 4}) {
      serve(v);
    }
    offer(PEER, "k", 3);
    awaitMirrored(3);
    offer(PEER, "k", 2);
    offer(PEER, "k", 3); // the same again
    offer(PEER, "k", 4); // handled after the two before it
    awaitMirrored(4);
    assertThat(askedFor(2)).as("an older version").isEmpty();
    assertThat(askedFor(3)).as("v3 fetched once: its size, its one chunk").hasSize(2);
    assertThat(published).extracting(ParamsPublished::version).containsExactly(3L, 4L);
    assertThat(here().version()).isEqualTo(4);
  }

  @Test
  @DisplayName("offers of a model this node does not have, and this node's own offers, are not fetched")
  void ignoresForeignModelsAndItsOwnOffers() throws Exception {
    serve(1);
    offer(PEER, "unknown", 5);
    offer(HERE, "k", 1);
    offer(PEER, "k", 1);
    awaitMirrored(1);
    assertThat(asked).as("only the peer's offer of k").allSatisfy(a -> {
      assertThat(a.getString("key")).isEqualTo("k");
      assertThat(a.getString("node")).isEqualTo(PEER);
    }).extracting(a -> a.getInteger("chunk")).containsExactly(-1, 0);
  }
}
