package dev.ami.cluster;

import dev.ami.bus.Addresses;
import dev.ami.bus.Event;
import dev.ami.bus.NodeBeat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every node says every second that it is alive and what it plays; every node keeps who it heard from. On an
 * agent node, steps go to the trainer only while a trainer node is alive: while none is, they are dropped (and
 * counted) at the sender, so nothing queues up for a node that is gone and memory stays bounded.
 */
public final class NodeBeats extends VerticleBase {
  /** A node not heard from for this long is gone. */
  static final long GONE_MS = 3_000;
  private static final long BEAT_MS = 1_000;

  /** Node → (its roles, when this node heard it on its own clock): the sender's clock may be off. */
  private final Map<String, Heard> seen = new HashMap<>(); // event-loop confined

  private record Heard(List<String> roles, long atNanos) {
  }
  private volatile boolean trainerPresent;
  private boolean trainerHere;
  private Counter dropped;
  private Handler<DeliveryContext<Object>> guard;

  @Override
  public Future<?> start() {
    String node = config().getString(ClusterRuntime.NODE_KEY);
    List<String> roles = config().getJsonArray(ClusterRuntime.ROLES_KEY).stream().map(String::valueOf).toList();
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry == null) {
      registry = new SimpleMeterRegistry();
    }
    dropped = Counter.builder("ami.cluster.transitions.dropped")
        .description("steps not sent because no trainer node was alive").register(registry);
    Gauge.builder("ami.cluster.trainer.present", this, b -> b.trainerPresent ? 1 : 0)
        .description("1 while a trainer node is alive").register(registry);
    trainerHere = roles.contains("trainer");
    trainerPresent = trainerHere;
    vertx.eventBus().<NodeBeat>consumer(Addresses.NODE_BEATS, m -> {
      seen.put(m.body().node(), new Heard(m.body().roles(), System.nanoTime()));
      if (m.body().roles().contains("trainer") && !trainerPresent) {
        check(); // at once: steps flow again as soon as a trainer is heard
      }
    });
    vertx.setPeriodic(0, BEAT_MS, t -> {
      vertx.eventBus().publish(Addresses.NODE_BEATS, new NodeBeat(node, roles, System.currentTimeMillis()));
      check();
    });
    if (roles.contains("agent") && !roles.contains("trainer")) {
      guard = ctx -> {
        if (ctx.message().address().equals(Addresses.TRANSITIONS) && !trainerPresent) {
          dropped.increment(); // on the agent thread: one volatile read and a counter
          return;
        }
        ctx.next();
      };
      vertx.eventBus().addOutboundInterceptor(guard);
    }
    return Future.succeededFuture();
  }

  private void check() {
    long now = System.nanoTime();
    seen.values().removeIf(h -> now - h.atNanos() > GONE_MS * 1_000_000);
    boolean present = trainerHere || seen.values().stream().anyMatch(b -> b.roles().contains("trainer"));
    if (present != trainerPresent) {
      trainerPresent = present;
      vertx.eventBus().publish(Addresses.EVENTS, present
          ? Event.info("trainer-joined", "a trainer node is alive; steps go to it again")
          : Event.warn("trainer-missing", "no trainer node heard from for " + GONE_MS + " ms: the agent acts on "
              + "its last parameters and its steps are dropped (" + Math.round(dropped.count()) + " so far)"));
    }
  }

  @Override
  public Future<?> stop() {
    if (guard != null) {
      vertx.eventBus().removeOutboundInterceptor(guard);
    }
    return Future.succeededFuture();
  }
}
