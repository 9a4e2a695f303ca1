package dev.ami.agent;

import dev.ami.env.Action;

/** Chooses an action from the latent state. */
public interface Policy {
  Action choose(float[] latent);
}
