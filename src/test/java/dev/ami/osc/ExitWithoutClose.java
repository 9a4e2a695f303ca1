package dev.ami.osc;

import dev.ami.env.Action;

/** A process that walks the avatar, then exits without closing its actuator: the shutdown hook must stop it. */
public final class ExitWithoutClose {
  private ExitWithoutClose() {
  }

  public static void main(String[] args) throws Exception {
    OscActuator osc = OscActuator.open("127.0.0.1", Integer.parseInt(args[0]), 60_000, 0);
    osc.act(new Action(1, 1, 1, 1, 1));
    while (osc.sentMessages() < 10) { // 5 zeros at open, then the 5 inputs of the action
      Thread.sleep(5);
    }
    System.exit(0);
  }
}
