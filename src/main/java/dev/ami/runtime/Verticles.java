package dev.ami.runtime;

import dev.ami.agent.AgentVerticle;
import dev.ami.kind.AgentKinds;
import dev.ami.training.TrainerVerticle;
import dev.ami.world.Environments;

/** The wiring of the two loop verticles: the registered agent kinds, and the environment factory. */
public final class Verticles {
  private Verticles() {
  }

  /** An agent of whichever kind the config selects, in the environment the config names. */
  public static AgentVerticle agent() {
    return agent(AgentKinds.brains());
  }

  /** An agent with {@code brains} (tests wrap the kinds' to fail on purpose). */
  public static AgentVerticle agent(AgentVerticle.BrainFactory brains) {
    return new AgentVerticle(brains, Environments::create);
  }

  /** A trainer of whichever kind the config selects. */
  public static TrainerVerticle trainer() {
    return new TrainerVerticle(AgentKinds.catalogue());
  }
}
