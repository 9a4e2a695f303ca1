package dev.ami.cluster;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.SnapshotOffer;
import dev.ami.runtime.AmiRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A host that reaches the cluster's ports without its certificates (none, or another CA's): it joins Hazelcast
 * (the open-source edition cannot refuse it) and tries for a while to command, read and push on the event bus.
 * Prints one line {@code INTRUDER frames=N ticks=N replies=N} with what it achieved, then exits.
 *
 * <p>Usage: {@code Intruder CLUSTER_NAME HZ_PORT MEMBER_HOST:PORT SECONDS [TLS_DIR]}.
 */
public final class Intruder {
  private Intruder() {
  }

  public static void main(String[] args) throws Exception {
    Path tls = args.length > 4 ? Path.of(args[4]) : null;
    ClusterOptions o = ClusterOptions.of("console", List.of(args[2]), "127.0.0.1", Integer.parseInt(args[1]), 0,
        args[0]).withTls(tls);
    Vertx vertx = ClusterVertx.start(o, AmiRuntime.vertxOptions()).toCompletionStage().toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    AtomicLong frames = new AtomicLong();
    AtomicLong ticks = new AtomicLong();
    AtomicLong replies = new AtomicLong();
    vertx.eventBus().consumer(Addresses.TRANSITIONS, m -> frames.incrementAndGet());
    vertx.eventBus().consumer(Addresses.TELEMETRY_TICK, m -> ticks.incrementAndGet());
    DeliveryOptions ask = new DeliveryOptions().setSendTimeout(1500);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
    while (System.nanoTime() < end) {
      for (String cmd : List.of("pause", "shutdown", "status")) {
        vertx.eventBus().request(Addresses.CONTROL, ControlCommand.of(cmd), ask).onSuccess(r -> replies.incrementAndGet());
      }
      vertx.eventBus().request(Addresses.AGENT_CONTROL, ControlCommand.of("pause"), ask)
          .onSuccess(r -> replies.incrementAndGet());
      vertx.eventBus().request(Addresses.REDEPLOY, new ControlCommand("redeploy", 0, new JsonObject()
          .put("target", "trainer").put("from", "/etc")), ask).onSuccess(r -> replies.incrementAndGet());
      vertx.eventBus().publish(Addresses.SHUTDOWN, "intruder");
      vertx.eventBus().publish(Addresses.SNAPSHOT_OFFERS, new SnapshotOffer(o.node(), "policy", 999_999_999L, "",
          System.currentTimeMillis()));
      Thread.sleep(500);
    }
    Thread.sleep(2000); // replies in flight
    System.out.println("INTRUDER frames=" + frames.get() + " ticks=" + ticks.get() + " replies=" + replies.get());
    System.out.flush();
    vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    System.exit(0);
  }
}
