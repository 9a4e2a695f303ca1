package dev.ami.telemetry;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.Event;
import dev.ami.config.AmiConfig;
import dev.ami.config.TelemetryOptions;
import dev.ami.control.StatusText;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes a status line every few seconds and every operator event to the log. */
public final class StatusLogVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger("ami.status");

  @Override
  public Future<?> start() {
    int every = TelemetryOptions.from(AmiConfig.of(config())).logEveryS();
    if (every > 0) {
      vertx.setPeriodic(every * 1000L, t -> logStatus());
    }
    vertx.eventBus().<Event>consumer(Addresses.EVENTS, m -> {
      Event e = m.body();
      switch (e.level()) {
        case "error" -> LOG.error("{}: {}", e.kind(), e.message());
        case "warn" -> LOG.warn("{}: {}", e.kind(), e.message());
        default -> LOG.info("{}: {}", e.kind(), e.message());
      }
    });
    return Future.succeededFuture();
  }

  private void logStatus() {
    vertx.eventBus().<ControlReply>request(Addresses.CONTROL, ControlCommand.of("status"))
        .onSuccess(m -> LOG.info("{}", StatusText.describe(m.body().detail())));
  }
}
