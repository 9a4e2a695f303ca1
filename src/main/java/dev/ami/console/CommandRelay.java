package dev.ami.console;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.Event;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Carries console commands to the control point over the bus and turns the answers into protocol replies.
 * The console never talks to the agent or trainer directly.
 */
final class CommandRelay {
  /** How every reply starts when the control point did not answer at all. */
  static final String NO_ANSWER = "control point did not answer";
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(30_000);
  /** A checkpoint with its buffers, or a redeploy building new models, may take longer than any other command. */
  private static final DeliveryOptions ASK_LONG = new DeliveryOptions().setSendTimeout(300_000);

  private final EventBus bus;
  private final TelemetryAggregator telemetry;

  CommandRelay(EventBus bus, TelemetryAggregator telemetry) {
    this.bus = bus;
    this.telemetry = telemetry;
  }

  /** Runs a control command (anything but subscribe); the future always succeeds with a reply. */
  Future<JsonObject> execute(ConsoleRequest req) {
    return bus.<ControlReply>request(Addresses.CONTROL, new ControlCommand(req.cmd(), req.n(), req.args()),
            "checkpoint".equals(req.cmd()) || "redeploy".equals(req.cmd()) ? ASK_LONG : ASK)
        .map(Message::body)
        .map(r -> {
          telemetry.onState(r.state().wireName());
          if (r.ok() && r.detail() != null && "status".equals(req.cmd())) {
            telemetry.onStatus(r.detail());
          }
          if (r.ok()) {
            announce(req);
          }
          return Protocol.reply(req.id(), r);
        })
        .otherwise(e -> Protocol.error(req.id(), telemetry.state(), NO_ANSWER + ": " + e.getMessage()));
  }

  /** The status detail ({@code state}, {@code ticks}, ..., {@code agent}, {@code trainer}), or null. */
  Future<JsonObject> status() {
    return bus.<ControlReply>request(Addresses.CONTROL, ControlCommand.of("status"), ASK)
        .map(Message::body)
        .map(r -> {
          if (r.detail() != null && r.detail().containsKey("state")) {
            telemetry.onStatus(r.detail());
            return r.detail();
          }
          return null;
        })
        .otherwise(e -> null);
  }

  /** Operator actions go into everyone's event log; the control point reports only shutdowns itself. */
  private void announce(ConsoleRequest req) {
    String message = switch (req.cmd()) {
      case "pause" -> "paused by the operator";
      case "resume" -> "resumed by the operator";
      case "step" -> "stepping " + req.n() + " ticks";
      default -> null;
    };
    if (message != null) {
      bus.publish(Addresses.EVENTS, Event.info(req.cmd(), message));
    }
  }
}
