package dev.ami.app;

import picocli.CommandLine.IVersionProvider;

/**
 * {@code ami --version}: the version the build wrote into the jar's manifest (Implementation-Version, from the
 * pom's project version through the shade plugin), so it cannot drift from the release; "dev" when run from
 * classes (tests, an IDE), which have no manifest.
 */
public final class ManifestVersion implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"ami-runtime " + version(Main.class.getPackage())};
  }

  static String version(Package of) {
    String v = of == null ? null : of.getImplementationVersion();
    return v == null || v.isBlank() ? "dev" : v;
  }
}
