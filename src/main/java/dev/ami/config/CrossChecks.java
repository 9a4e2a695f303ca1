package dev.ami.config;

import dev.ami.console.ConsoleOptions;

/** Rules that involve more than one key. */
final class CrossChecks {
  private CrossChecks() {
  }

  static void verify(AmiConfig c) {
    if (c.getInt("model.input_size") % 8 != 0) {
      throw new ConfigException("invalid value " + c.getInt("model.input_size")
          + " for model.input_size: expected a multiple of 8 (three stride-2 stages)");
    }
    if (c.getInt("trainer.min_replay") > c.getInt("trainer.replay_capacity")) {
      throw new ConfigException("trainer.min_replay (" + c.getInt("trainer.min_replay")
          + ") must not exceed trainer.replay_capacity (" + c.getInt("trainer.replay_capacity") + ")");
    }
    if (c.getInt("trainer.batch") > c.getInt("trainer.replay_capacity")) {
      throw new ConfigException("trainer.batch (" + c.getInt("trainer.batch")
          + ") must not exceed trainer.replay_capacity (" + c.getInt("trainer.replay_capacity") + ")");
    }
    WorldIoSettings.verify(c);
    ConsoleOptions.from(c).requireSafeBinding();
  }
}
