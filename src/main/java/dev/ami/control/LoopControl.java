package dev.ami.control;

import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Answers a control request for a loop that runs on its own thread: {@code status} at once from the
 * loop's volatile state, anything else once the loop has carried it out between ticks or steps.
 */
public final class LoopControl {
  private LoopControl() {
  }

  public static void answer(Message<ControlCommand> msg, Supplier<? extends LoopStatus> status,
                            Function<ControlCommand, CompletionStage<? extends LoopStatus>> run) {
    if (msg.body() == null || msg.body().cmd() == null) { // a malformed request never reaches the loop
      msg.reply(ControlReply.error(status.get().state(), "a control command needs a name (cmd)"));
      return;
    }
    if ("status".equals(msg.body().cmd())) {
      LoopStatus s = status.get();
      msg.reply(ControlReply.ok(s.state(), s.toJson()));
      return;
    }
    Future.fromCompletionStage(run.apply(msg.body())).onComplete(r -> msg.reply(r.succeeded()
        ? ControlReply.ok(r.result().state(), r.result().toJson())
        : ControlReply.error(status.get().state(), r.cause().getMessage())));
  }
}
