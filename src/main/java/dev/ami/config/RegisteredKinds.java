package dev.ami.config;

import java.util.List;
import java.util.ServiceLoader;

/** The kinds META-INF/services registers, loaded once: they hold no state. */
final class RegisteredKinds {
  static final List<KindRules> ALL = ServiceLoader.load(KindRules.class, KindRules.class.getClassLoader()).stream()
      .map(ServiceLoader.Provider::get).toList();

  private RegisteredKinds() {
  }
}
