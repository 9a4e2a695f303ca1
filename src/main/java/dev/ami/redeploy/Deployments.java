package dev.ami.redeploy;

import dev.ami.config.AmiConfig;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** What a redeploy needs of the runtime: its deployments by role, and the config the models run with now. */
public interface Deployments {
  String TRAINER = "trainer";
  String AGENT = "agent";
  String PREVIEW = "preview";

  /** Deploys without assigning a role: a redeploy's new verticle stands by before it takes a role over. */
  Future<String> deploy(Deployable verticle, boolean worker, JsonObject deploymentConfig);

  /** Gives {@code role} to a deployment. */
  void assign(String role, String deploymentId);

  /** The deployment that plays {@code role}, or null. */
  String id(String role);

  AmiConfig config();

  void config(AmiConfig next);
}
