package io.blacktree.dev;

import io.blacktree.testsupport.ServiceRequirement;
import io.blacktree.testsupport.ServiceRequirement.Service;

/** This module's prerequisites, checked through test-support (CI=true: missing = failure). */
final class Services {
  private Services() {}

  static void require(boolean available, String what) {
    ServiceRequirement.requireThat(available, what);
  }

  static void requireTemporal() {
    ServiceRequirement.require(Service.TEMPORAL);
  }
}
