package dev.ami.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The verticles every cluster node runs besides its roles: beats and presence ({@link NodeBeats}), and the
 * snapshot exchange ({@link SnapshotServer}, {@link SnapshotMirror}).
 */
public final class ClusterRuntime {
  /** Deployment config keys of the cluster verticles. */
  public static final String NODE_KEY = "ami.cluster.node";
  public static final String ROLES_KEY = "ami.cluster.roles";
  /**
   * Local map: model key → the last snapshot this node's mirror fetched, {@code {version, bytes, queued_ns,
   * meta_ns, chunks_ns, decode_ns}} (chunks_ns: first chunk asked for → last chunk here), for the benchmark.
   */
  public static final String FETCHED_MAP = "ami.cluster.fetched";
  /** Model key → the largest snapshot the mirror fetches, in bytes (from the configured models). */
  public static final String LIMITS_KEY = "ami.cluster.limits";
  /** How many other members the cluster had when this node joined. */
  public static final String OTHERS_KEY = "ami.cluster.others";
  /** Longest a joining node waits for the cluster's snapshots before it starts its roles. */
  private static final long SETTLE_MS = 15_000;

  private final List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
  private final SnapshotMirror mirror = new SnapshotMirror();

  /** Deploys the three and waits until the snapshots the cluster offers are mirrored here (bounded). */
  public Future<ClusterRuntime> start(Vertx vertx, ClusterOptions o) {
    return start(vertx, o, null);
  }

  /**
   * The same; {@code limits} (model key → largest snapshot in bytes) bounds what the mirror fetches: an offer of
   * another model, or of a bigger snapshot, is refused before anything is allocated. Null: no bound but the wire's.
   */
  public Future<ClusterRuntime> start(Vertx vertx, ClusterOptions o, JsonObject limits) {
    int others = Math.max(0, ((VertxInternal) vertx).clusterManager().getNodes().size() - 1);
    JsonObject config = new JsonObject().put(NODE_KEY, o.node()).put(ROLES_KEY, new JsonArray(List.copyOf(o.roles())))
        .put(OTHERS_KEY, others).put(LIMITS_KEY, limits);
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    return vertx.deployVerticle(new NodeBeats(), options).onSuccess(ids::add)
        .compose(v -> vertx.deployVerticle(new SnapshotServer(), options)).onSuccess(ids::add)
        .compose(v -> vertx.deployVerticle(mirror, options)).onSuccess(ids::add)
        .compose(v -> mirror.settled().timeout(SETTLE_MS, TimeUnit.MILLISECONDS).otherwiseEmpty())
        .map(this);
  }

  /** Undeploys them, last first. */
  public Future<Void> stop(Vertx vertx) {
    Future<Void> chain = Future.succeededFuture();
    List<String> deployed = List.copyOf(ids);
    for (int i = deployed.size() - 1; i >= 0; i--) {
      String id = deployed.get(i);
      chain = chain.compose(v -> vertx.undeploy(id).otherwiseEmpty());
    }
    return chain;
  }
}
