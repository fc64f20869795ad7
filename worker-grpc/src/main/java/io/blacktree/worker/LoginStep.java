package io.blacktree.worker;

/** Gets the job's push credentials from the configured {@link RegistryLogin}. */
final class LoginStep {
  private final RegistryLogin login;

  LoginStep(RegistryLogin login) {
    this.login = login;
  }

  RegistryAuth run(JobSpec spec, StepControl control) throws JobFailure {
    var req = spec.request();
    RegistryAuth auth = login.login(req.awsAccount(), req.region(), req.ecrRepo(), control.redactor());
    control.log("registry " + auth.host() + (auth.hasCredentials() ? " (logged in as " + auth.username() + ")" : ""));
    return auth;
  }
}
