package io.blacktree.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the version Maven wrote into {@code version.properties}, else the jar manifest's. */
public final class VersionProvider implements IVersionProvider {

  /** The distribution's version, or "unknown" when neither source has one. */
  public static String version() {
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version");
        if (version != null && !version.isBlank() && !version.startsWith("${")) {
          return version;
        }
      }
    } catch (IOException e) {
      // fall through to the manifest
    }
    String fromManifest = VersionProvider.class.getPackage().getImplementationVersion();
    return fromManifest == null ? "unknown" : fromManifest;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"blacktree " + version()};
  }
}
