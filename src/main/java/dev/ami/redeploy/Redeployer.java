package dev.ami.redeploy;

import dev.ami.agent.AgentVerticle;
import dev.ami.bus.Addresses;
import dev.ami.bus.AgentHandover;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.Event;
import dev.ami.bus.RedeployRecord;
import dev.ami.bus.RedeployRequest;
import dev.ami.bus.RunState;
import dev.ami.bus.TickRecord;
import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigLoader;
import dev.ami.config.RunOptions;
import dev.ami.env.Environment;
import dev.ami.handover.Handovers;
import dev.ami.preview.PreviewVerticle;
import dev.ami.training.TrainerVerticle;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redeploys the agent, the trainer or both with new models while the process, the console, the meters, the
 * buffers and the snapshots that still fit stay up. Make before break: the new verticles build (and the agent
 * warms up) while the old ones keep ticking and training; then the agent hands over at a tick boundary, its
 * successor ticking on the same schedule, and the trainer hands over (the old one stops after its current step,
 * the new one starts from the newest fitting snapshots or the given checkpoint: one training thread at a time).
 * A redeploy that fails before the handover leaves the old deployments untouched. One redeploy at a time.
 */
public final class Redeployer {
  private static final Logger LOG = LoggerFactory.getLogger(Redeployer.class);
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;
  private final Deployments roles;
  private boolean busy; // event-loop confined
  /** Completes when the redeploy under way has ended; null when none is. Read by a shutdown from any thread. */
  private final java.util.concurrent.atomic.AtomicReference<io.vertx.core.Promise<Void>> underWay =
      new java.util.concurrent.atomic.AtomicReference<>();

  /**
   * @param agents builds the new agent verticle of an agent redeploy
   * @param trainers builds the new trainer verticle (and the previous model's again, should the new one not start)
   */
  public Redeployer(Vertx vertx, Deployments roles, Supplier<AgentVerticle> agents, Supplier<TrainerVerticle> trainers) {
    this.vertx = vertx;
    this.roles = roles;
    this.agents = agents;
    this.trainers = trainers;
  }

  private final Supplier<AgentVerticle> agents;
  private final Supplier<TrainerVerticle> trainers;
  /** A take-over is a few operations on the standby loop: one that takes longer has failed. */
  private static final DeliveryOptions TAKE = new DeliveryOptions().setSendTimeout(10_000);

  /** Carries out a {@code redeploy} command; the reply is an error when nothing changed, with the reason. */
  public Future<ControlReply> handle(ControlCommand c) {
    if (busy) {
      return Future.succeededFuture(ControlReply.error(RunState.RUNNING, "a redeploy is already running"));
    }
    busy = true;
    io.vertx.core.Promise<Void> ends = io.vertx.core.Promise.promise();
    underWay.set(ends);
    long t0 = System.nanoTime();
    JsonObject args = c == null || c.args() == null ? new JsonObject() : c.args().copy();
    if (args.getValue("target") == null) {
      args.put("target", "all"); // on the bus a request without a target means both, as the split runtime reads it
    }
    String target = args.getValue("target") instanceof String t ? t : "all";
    Future<RedeployPlan> planned;
    try { // a malformed request (a peer's, a wrong type) fails here, and the busy flag is released below
      planned = plan(RedeployRequest.parse(args, List.of()));
    } catch (RuntimeException e) {
      planned = Future.failedFuture(new IllegalArgumentException("malformed redeploy request: " + e.getMessage(), e));
    }
    return planned
        .compose(plan -> execute(plan, target, t0))
        .recover(e -> {
          report(new RedeployRecord(target, null, ms(t0), Double.NaN, -1, Double.NaN, Double.NaN, List.of(),
              String.valueOf(e.getMessage()), System.currentTimeMillis()));
          return Future.succeededFuture(ControlReply.error(RunState.RUNNING, "redeploy failed: " + e.getMessage()));
        })
        .onComplete(r -> {
          busy = false;
          underWay.compareAndSet(ends, null);
          ends.tryComplete();
        });
  }

  /** Completes once no redeploy is under way: a shutdown waits for one to end before it stops the agent. */
  public Future<Void> idle() {
    io.vertx.core.Promise<Void> p = underWay.get();
    return p == null ? Future.succeededFuture() : p.future();
  }

  private Future<RedeployPlan> plan(RedeployRequest request) {
    AmiConfig old = roles.config();
    return new ConfigLoader(vertx).reload(old, request.configArgs())
        .compose(next -> vertx.executeBlocking(() -> RedeployPlanner.plan(old, next, request)));
  }

  /** Builds the new verticles (standby), then hands the agent over, then the trainer. */
  private Future<ControlReply> execute(RedeployPlan plan, String target, long t0) {
    JsonObject deployment = plan.next().toJson();
    if (plan.from() != null) {
      Handovers.of(vertx).resumeTrainer(plan.from());
    }
    Future<JsonObject> agentBefore = ask(Addresses.AGENT_CONTROL, ControlCommand.of("status"))
        .map(m -> ((ControlReply) m).detail()).otherwise(new JsonObject());
    Future<String> newTrainer = plan.trainer()
        ? roles.deploy(trainers.get(), true, deployment.copy().put(TrainerVerticle.STANDBY, true)
            .put(TrainerVerticle.FRESH, plan.fresh()))
        : Future.succeededFuture();
    Future<String> newAgent = newTrainer.compose(t -> plan.agent()
        ? roles.deploy(agents.get(), true, deployment.copy().put(AgentVerticle.STANDBY, true)
            .put(AgentVerticle.TRAINER_FOLLOWS, plan.trainer()))
        : Future.succeededFuture());
    return Future.all(agentBefore, newAgent).recover(e -> {
      // nothing was handed over: the old deployments run on untouched
      Handovers.of(vertx).resumeTrainer(null);
      if (plan.from() != null && newTrainer.failed()) {
        plan.from().close();
      }
      if (newTrainer.succeeded() && newTrainer.result() != null) {
        vertx.undeploy(newTrainer.result()); // its loop frees the checkpoint state it was given
      }
      return Future.failedFuture("the new " + (newTrainer.failed() ? "trainer" : "agent") + " did not build: "
          + e.getMessage() + "; the running one is untouched");
    }).compose(built -> {
      double buildMs = ms(t0);
      long ready = System.nanoTime();
      JsonObject before = agentBefore.result();
      String state = before.getString("state", "running");
      boolean paused = state.equals("paused") || state.equals("stepping");
      // the agent first: it is ready now, and its handover must come within a tick of that; the trainer's
      // switch waits out the old trainer's current step. A new agent meanwhile acts on the snapshots that fit it
      double[] trainerGap = {Double.NaN};
      Future<JsonObject> agentSwitch = plan.agent()
          ? switchAgent(newAgent.result(), ready, before.getLong("missed_ticks", 0L))
              .recover(e -> {
                if (plan.trainer()) {
                  vertx.undeploy(newTrainer.result()); // it never went live: the old trainer trains on
                }
                return Future.failedFuture(e);
              })
          : Future.succeededFuture(new JsonObject());
      return agentSwitch
          .compose(agent -> (plan.trainer() ? switchTrainer(newTrainer.result(), paused, deployment)
              : Future.succeededFuture(Double.NaN)).map(gap -> {
                trainerGap[0] = gap;
                return agent;
              }))
          .compose(agent -> (plan.preview() ? redeployPreview(deployment) : Future.<Void>succeededFuture())
              .map(v -> agent))
          .map(agent -> {
            roles.config(plan.next());
            vertx.sharedData().getLocalMap(Addresses.APP_MAP).put(Addresses.CONFIG_KEY, deployment);
            RedeployRecord r = new RedeployRecord(target, RunOptions.from(plan.next()).kind(), buildMs,
                agent.getDouble("handover_ms", Double.NaN), agent.getLong("missed_ticks", -1L),
                agent.getDouble("deadline_gap_ms", Double.NaN), trainerGap[0], plan.warnings(), null,
                System.currentTimeMillis());
            report(r);
            return ControlReply.ok(RunState.RUNNING, new JsonObject().put("redeployed", target)
                .put("model_kind", r.modelKind()).put("build_ms", Math.round(buildMs))
                .put("handover_ms", round(r.handoverMs())).put("missed_ticks", plan.agent() ? r.missedTicks() : null)
                .put("deadline_gap_ms", round(r.deadlineGapMs())).put("trainer_gap_ms", round(r.trainerGapMs()))
                .put("warnings", new JsonArray(plan.warnings())));
          });
    });
  }

  /**
   * The old trainer stops (after its current step), then the new one goes. Should the new one fail to start,
   * a trainer with the previous model is started again from the newest snapshots, so training goes on.
   */
  private Future<Double> switchTrainer(String newId, boolean paused, JsonObject deployment) {
    long t0 = System.nanoTime();
    String oldId = roles.id(Deployments.TRAINER);
    return vertx.undeploy(oldId)
        .compose(v -> ask(Addresses.TRAINER_GO_PREFIX + newId, new ControlCommand("go", paused ? 1 : 0)))
        .compose(reply -> {
          roles.assign(Deployments.TRAINER, newId);
          return Future.succeededFuture(ms(t0));
        }, e -> {
          LOG.warn("the new trainer did not start ({}); starting the previous one again", e.getMessage());
          vertx.undeploy(newId);
          return roles.deploy(trainers.get(), true, roles.config().toJson())
              .compose(id -> {
                roles.assign(Deployments.TRAINER, id);
                return Future.failedFuture("the new trainer did not start: " + e.getMessage()
                    + "; the previous model trains again");
              });
        });
  }

  /**
   * The old agent stops at its next tick boundary and hands over; the new one ticks on from the very next
   * deadline. Should the take-over fail, the actuators go neutral: nobody drives them any more.
   */
  private Future<JsonObject> switchAgent(String newId, long readyNanos, long missedBefore) {
    String oldId = roles.id(Deployments.AGENT);
    Promise<TickRecord> firstTick = Promise.promise();
    long[] handedAt = {Long.MAX_VALUE};
    MessageConsumer<TickRecord> ticks = vertx.eventBus().consumer(Addresses.TELEMETRY_TICK, m -> {
      if (m.body().tick() > handedAt[0]) {
        firstTick.tryComplete(m.body());
      }
    });
    return ask(Addresses.AGENT_HANDOVER_PREFIX + oldId + ".give", "give")
        .map(m -> (AgentHandover) m)
        .compose(h -> {
          handedAt[0] = h.state().ticks();
          return vertx.eventBus().<Long>request(Addresses.AGENT_HANDOVER_PREFIX + newId + ".take", h, TAKE)
              .map(Message::body)
              .recover(e -> {
                // nobody drives the avatar now: it must not go on with the last action while the old agent
                // rebuilds its models; the new agent never owned the world and goes; the old one takes it back
                neutral();
                Future<Void> gone = vertx.undeploy(newId).otherwiseEmpty(); // the reply says it went: so it has
                return ask(Addresses.AGENT_HANDOVER_PREFIX + oldId + ".takeback", h)
                    .transform(back -> gone.map(back))
                    .transform(done -> {
                      AsyncResult<Object> back = done.result();
                      if (back.succeeded()) {
                        return Future.failedFuture("the new agent could not take over (" + e.getMessage()
                            + "); the previous agent ticks on from tick " + back.result() + " with its model and "
                            + "the world: fix the new model and redeploy again");
                      }
                      neutral();
                      return Future.failedFuture("the new agent could not take over (" + e.getMessage()
                          + ") and the previous one could not start again (" + back.cause().getMessage()
                          + "): actuators neutral, no agent runs; restart the process (run --resume latest)");
                    });
              })
              .compose(firstDeadline -> {
                roles.assign(Deployments.AGENT, newId);
                vertx.undeploy(oldId);
                long bound = 10 * h.periodNanos() / 1_000_000 + 5_000;
                return firstTick.future().timeout(bound, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .otherwiseEmpty()
                    .compose(t -> ask(Addresses.AGENT_CONTROL, ControlCommand.of("status")))
                    .map(status -> {
                      long missed = ((ControlReply) status).detail().getLong("missed_ticks", missedBefore);
                      return new JsonObject()
                          .put("handover_ms", (firstDeadline - readyNanos) / 1e6)
                          .put("deadline_gap_ms", h.lastDeadlineNanos() == 0 ? Double.NaN
                              : (firstDeadline - h.lastDeadlineNanos()) / 1e6)
                          .put("missed_ticks", Math.max(0, missed - missedBefore));
                    });
              });
        })
        .onComplete(r -> ticks.unregister());
  }

  private Future<Void> redeployPreview(JsonObject deployment) {
    String oldId = roles.id(Deployments.PREVIEW);
    return (oldId == null ? Future.<Void>succeededFuture() : vertx.undeploy(oldId))
        .compose(v -> roles.deploy(new PreviewVerticle(), false, deployment))
        .map(id -> {
          roles.assign(Deployments.PREVIEW, id);
          return null;
        });
  }

  /** The handover failed: whatever the last agent sent must not go on. */
  private void neutral() {
    Environment env = Handovers.of(vertx).environment();
    if (env != null) {
      vertx.executeBlocking(() -> {
        env.actuator().neutral();
        return null;
      });
    }
  }

  private Future<Object> ask(String address, Object body) {
    return vertx.eventBus().request(address, body, ASK).map(Message::body);
  }

  private void report(RedeployRecord r) {
    vertx.eventBus().publish(Addresses.TELEMETRY_REDEPLOY, r);
    String text = r.ok()
        ? String.format("redeployed %s (%s): built in %.0f ms%s%s", r.target(), r.modelKind(), r.buildMs(),
            Double.isNaN(r.handoverMs()) ? "" : String.format(", agent handover %.1f ms after ready, %d missed ticks",
                r.handoverMs(), r.missedTicks()),
            Double.isNaN(r.trainerGapMs()) ? "" : String.format(", trainer gap %.0f ms", r.trainerGapMs()))
        : "redeploy of " + r.target() + " failed: " + r.error();
    if (r.ok()) {
      LOG.info(text);
      r.warnings().forEach(w -> LOG.warn("redeploy: {}", w));
    } else {
      LOG.warn(text);
    }
    vertx.eventBus().publish(Addresses.EVENTS, r.ok() ? Event.info("redeploy", text) : Event.error("redeploy-failed",
        text));
  }

  private static double ms(long since) {
    return (System.nanoTime() - since) / 1e6;
  }

  private static Double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : null;
  }
}
