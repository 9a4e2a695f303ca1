package dev.ami.env;

import dev.ami.bus.WorldRecord;

/** A world that can tell how much of it the agent has explored (the built-in one can). */
public interface Exploration {
  WorldRecord report();
}
