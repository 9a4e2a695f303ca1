package dev.ami.osc;

import dev.ami.env.Action;
import dev.ami.support.Await;
import java.time.Duration;

/** A process that walks the avatar, then exits without closing its actuator: the shutdown hook must stop it. */
public final class ExitWithoutClose {
  private ExitWithoutClose() {
  }

  public static void main(String[] args) throws Exception {
    OscActuator osc = OscActuator.open("127.0.0.1", Integer.parseInt(args[0]), 60_000, 0);
    awaitSent(osc, 5); // the zeros every actuator starts with
    osc.act(new Action(1, 1, 1, 1, 1));
    awaitSent(osc, 10); // all five inputs changed
    System.exit(0);
  }

  private static void awaitSent(OscActuator osc, long count) throws Exception {
    Await.until(Duration.ofSeconds(60), () -> osc.sentMessages() >= count, count + " messages sent");
  }
}
