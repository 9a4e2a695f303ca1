package dev.ami.runtime;

import dev.ami.config.AmiConfig;
import dev.ami.redeploy.Deployments;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The system's deployments by role, in deployment order, and the configuration its models run with now. A
 * redeploy swaps one role's deployment; the stop order stays the reverse of the roles' order (agent first).
 * Touched on the runtime's event-loop callbacks only.
 */
final class Roles implements Deployments {
  static final String METERS = "meters";
  static final String CONTROL = "control";
  static final String CONSOLE = "console";
  static final String CHECKPOINT = "checkpoint";
  /** The trainer node's part of a split cluster's checkpoints. */
  static final String CHECKPOINT_PART = "checkpoint-part";
  static final String STATUS_LOG = "status-log";
  static final String TENSORBOARD = "tensorboard";
  static final String RECORDER = "recorder";
  static final String PREVIEW = Deployments.PREVIEW;
  static final String TRAINER = Deployments.TRAINER;
  static final String AGENT = Deployments.AGENT;

  private final Vertx vertx;
  private final Map<String, String> byRole = Collections.synchronizedMap(new LinkedHashMap<>());
  private volatile AmiConfig config;

  Roles(Vertx vertx, AmiConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /** Deploys without assigning a role: a redeploy's new verticle stands by before it takes a role over. */
  @Override
  public Future<String> deploy(Deployable verticle, boolean worker, JsonObject deploymentConfig) {
    DeploymentOptions options = new DeploymentOptions().setConfig(deploymentConfig);
    if (worker) {
      options.setThreadingModel(ThreadingModel.WORKER);
    }
    return vertx.deployVerticle(verticle, options);
  }

  /** Gives {@code role} to a deployment; a role keeps its place in the order when it changes hands. */
  @Override
  public void assign(String role, String deploymentId) {
    byRole.put(role, deploymentId);
  }

  @Override
  public String id(String role) {
    return byRole.get(role);
  }

  /** Every deployment, the last deployed first. */
  List<String> inStopOrder() {
    List<String> ids;
    synchronized (byRole) {
      ids = new ArrayList<>(byRole.values());
    }
    Collections.reverse(ids);
    return ids;
  }

  @Override
  public AmiConfig config() {
    return config;
  }

  @Override
  public void config(AmiConfig next) {
    this.config = next;
  }
}
