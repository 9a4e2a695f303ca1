package dev.ami.control;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.Event;
import dev.ami.bus.RunState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The system's control point: takes operator commands on {@link Addresses#CONTROL}, fans them out to the
 * agent and the trainer over the bus, and answers with the resulting state of both.
 */
public final class ControlVerticle extends VerticleBase {
  /** Largest {@code step n} accepted: 1000 s at 10 Hz. */
  public static final int MAX_STEP = 10_000;
  static final Set<String> COMMANDS = Set.of("pause", "resume", "step", "status", "shutdown", "checkpoint",
      "redeploy");
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(30_000);
  /** A checkpoint with the buffers on a slow disk, or a redeploy building big models, can take a while. */
  private static final DeliveryOptions CHECKPOINT = new DeliveryOptions().setSendTimeout(300_000);

  private final long startedMillis = System.currentTimeMillis();
  private boolean agentSeen;

  @Override
  public Future<?> start() {
    vertx.eventBus().<ControlCommand>consumer(Addresses.CONTROL, this::handle);
    return Future.succeededFuture();
  }

  private void handle(Message<ControlCommand> msg) {
    ControlCommand c = msg.body();
    Future<ControlReply> reply = switch (c.cmd() == null ? "" : c.cmd()) {
      case "pause" -> both("pause", "pause");
      case "resume" -> both("resume", "resume");
      case "status" -> both("status", "status");
      case "step" -> step(c.n());
      case "shutdown" -> shutdown();
      case "checkpoint" -> checkpoint();
      case "redeploy" -> redeploy(c);
      default -> status().map(s -> ControlReply.error(s.state(), "unknown command '" + c.cmd()
          + "'; known: " + String.join(", ", COMMANDS.stream().sorted().toList())));
    };
    reply.onComplete(r -> msg.reply(r.succeeded() ? r.result()
        : ControlReply.error(RunState.FAILED, "command failed: " + r.cause().getMessage())));
  }

  private Future<ControlReply> step(int n) {
    if (n <= 0 || n > MAX_STEP) {
      return status().map(s -> ControlReply.error(s.state(), "step n must be in [1, " + MAX_STEP + "], was " + n));
    }
    return ask(Addresses.AGENT_CONTROL, new ControlCommand("step", n))
        .compose(agent -> agent.ok() ? status().map(s -> ControlReply.ok(agent.state(), s.detail()))
            : Future.succeededFuture(agent));
  }

  /**
   * Writes a checkpoint; the reply carries its path, size and duration along with the status. A refused or failed
   * one is answered at once with the agent's state only: the trainer may be on a node that just died, whose
   * status question the clustered bus still routes there and which would only time out ({@link #ASK}).
   */
  private Future<ControlReply> checkpoint() {
    return vertx.eventBus().<ControlReply>request(Addresses.CHECKPOINT, ControlCommand.of("checkpoint"), CHECKPOINT)
        .map(Message::body)
        .recover(e -> noHandler(e, "checkpoints are coordinated by the node with the agent; none is in the cluster"))
        .compose(ck -> ck.ok() ? status().map(s -> ControlReply.ok(s.state(), s.detail().mergeIn(ck.detail())))
            : agentState().map(state -> ControlReply.error(state, ck.error())));
  }

  /** The system's state (the agent's), without asking the trainer. */
  private Future<RunState> agentState() {
    return ask(Addresses.AGENT_CONTROL, ControlCommand.of("status")).transform(r -> {
      agentSeen |= r.succeeded();
      return Future.succeededFuture(r.succeeded() ? r.result().state() : absentAgent());
    });
  }

  /** New agent or trainer verticles, without a restart; the reply carries the redeploy's figures and the status. */
  private Future<ControlReply> redeploy(ControlCommand c) {
    return vertx.eventBus().<ControlReply>request(Addresses.REDEPLOY, c, CHECKPOINT).map(Message::body)
        .recover(e -> noHandler(e, "redeploy is coordinated by the node with the agent; none is in the cluster"))
        .compose(r -> status().map(s -> r.ok() ? ControlReply.ok(s.state(), s.detail().mergeIn(r.detail()))
            : ControlReply.error(s.state(), r.error())));
  }

  /** Nobody serves that address here: in a cluster whose roles are split, say so instead of a bus error. */
  private static Future<ControlReply> noHandler(Throwable e, String why) {
    if (e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS) {
      return Future.succeededFuture(ControlReply.error(RunState.RUNNING, why));
    }
    return Future.failedFuture(e);
  }

  private Future<ControlReply> shutdown() {
    return status().map(s -> {
      vertx.eventBus().publish(Addresses.EVENTS, Event.info("shutdown", "shutdown requested by the operator"));
      vertx.setTimer(50, t -> vertx.eventBus().publish(Addresses.SHUTDOWN, "operator")); // every node
      return ControlReply.ok(RunState.STOPPING, s.detail());
    });
  }

  private Future<ControlReply> status() {
    return both("status", "status");
  }

  /** Sends one command to agent and trainer; the system's state is the agent's. */
  private Future<ControlReply> both(String agentCmd, String trainerCmd) {
    Future<ControlReply> agent = ask(Addresses.AGENT_CONTROL, ControlCommand.of(agentCmd));
    Future<ControlReply> trainer = ask(Addresses.TRAINER_CONTROL, ControlCommand.of(trainerCmd));
    return Future.join(agent, trainer).transform(ignored -> {
      ControlReply a = agent.succeeded() ? agent.result() : null;
      ControlReply t = trainer.succeeded() ? trainer.result() : null;
      JsonObject detail = summary(a, t);
      RunState state = a == null ? absentAgent() : a.state();
      agentSeen |= a != null;
      if (a != null && !a.ok()) {
        return Future.succeededFuture(ControlReply.error(state, a.error()));
      }
      if (t != null && !t.ok()) {
        return Future.succeededFuture(ControlReply.error(state, t.error()));
      }
      return Future.succeededFuture(new ControlReply(true, state, null, detail));
    });
  }

  private JsonObject summary(ControlReply agent, ControlReply trainer) {
    JsonObject a = agent == null ? new JsonObject().put("state", "absent") : agent.detail();
    JsonObject t = trainer == null ? new JsonObject().put("state", "absent") : trainer.detail();
    return new JsonObject()
        .put("state", agent == null ? absentAgent().wireName() : agent.state().wireName())
        .put("ticks", a.getLong("ticks", 0L))
        .put("models", models(a.getJsonObject("versions_in_use", new JsonObject()),
            t.getJsonObject("models", new JsonObject())))
        .put("uptime_s", (System.currentTimeMillis() - startedMillis) / 1000.0)
        .put("uptime_left_s", uptimeLeftS())
        .put("agent", a)
        .put("trainer", t);
  }

  /** Seconds until {@code system.max_uptime} stops the run; null when nothing will. */
  private Double uptimeLeftS() {
    Object deadline = vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.DEADLINE_KEY);
    return deadline instanceof Long ms ? Math.max(0, ms - System.currentTimeMillis()) / 1000.0 : null;
  }

  /**
   * Per model: the version the trainer published last, the one the agent runs, and how far apart they are. A
   * model the agent does not run itself (the VAE, whose encoder reaches it with the forward model's snapshot) has
   * no version in use and no lag (null); so has every model while no agent answers.
   */
  static JsonObject models(JsonObject inUse, JsonObject trained) {
    JsonObject out = new JsonObject();
    Set<String> keys = new java.util.LinkedHashSet<>(trained.fieldNames());
    keys.addAll(inUse.fieldNames());
    for (String key : keys) {
      long published = trained.getJsonObject(key, new JsonObject()).getLong("version_published", 0L);
      Long used = inUse.getLong(key);
      out.put(key, new JsonObject().put("version_published", published).put("version_in_use", used)
          .put("policy_lag", used == null ? null : Math.max(0, published - used)));
    }
    return out;
  }

  /**
   * No agent answered: before it ever has, the system is still starting (the console comes up first); after,
   * it is on its way down or being redeployed. A crashed agent still answers, with state failed.
   */
  private RunState absentAgent() {
    return agentSeen ? RunState.STOPPING : RunState.STARTING;
  }

  private Future<ControlReply> ask(String address, ControlCommand c) {
    return vertx.eventBus().<ControlReply>request(address, c, ASK).map(Message::body);
  }

}
