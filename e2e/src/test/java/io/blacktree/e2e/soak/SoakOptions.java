package io.blacktree.e2e.soak;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The soak's command line: {@code [--mode single|cluster] --jobs N --duration D --workers W --seed S
 * [--fault-gap G] --report FILE [--plot FILE] --command TEXT}. Durations are ISO-8601 ({@code PT30M}) or a
 * number with s/m/h ({@code 30m}). In cluster mode {@code --workers} is the number of build hosts.
 */
record SoakOptions(SoakMode mode, int jobs, Duration duration, int workers, long seed, Duration faultGap,
    Path report, Path plot, String command) {

  static SoakOptions parse(String[] args) {
    int jobs = 500;
    Duration duration = Duration.ofMinutes(30);
    int workers = 3;
    long seed = System.currentTimeMillis();
    Duration gap = null;
    Path report = Path.of("RELIABILITY.md");
    SoakMode mode = SoakMode.SINGLE;
    Path plot = null;
    String command = "scripts/soak";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--mode" -> mode = SoakMode.parse(v);
        case "--jobs" -> jobs = Integer.parseInt(v);
        case "--duration" -> duration = duration(v);
        case "--workers" -> workers = Integer.parseInt(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--fault-gap" -> gap = duration(v);
        case "--report" -> report = Path.of(v);
        case "--plot" -> plot = Path.of(v);
        case "--command" -> command = v;
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (jobs < 1 || workers < 1 || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--jobs and --workers must be positive, --duration longer than zero");
    }
    if (plot == null) {
      Path dir = report.toAbsolutePath().getParent();
      plot = dir.resolve(mode.defaultPlot());
    }
    return new SoakOptions(mode, jobs, duration, workers, seed,
        gap != null ? gap : FaultSchedule.defaultGap(duration), report, plot, command);
  }

  static Duration duration(String v) {
    if (v.startsWith("P") || v.startsWith("p")) {
      return Duration.parse(v.toUpperCase());
    }
    long n = Long.parseLong(v.substring(0, v.length() - 1));
    return switch (v.charAt(v.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("duration " + v + ": use PT30M, 90s, 30m or 1h");
    };
  }
}
