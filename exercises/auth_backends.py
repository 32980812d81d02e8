"""Sign-in lock-out (django-axes) for every way in: the sign-in page, the admin's and the
API's token endpoint all authenticate through here, so one failure count per client
address and per username covers them all, and a locked-out sign-in is refused even with
the right password until the window passes."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class SignInLockout(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        # Without a request there is no client to count (the test client's login(), a
        # shell): leave those to the next backend. Every web sign-in passes its request.
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
