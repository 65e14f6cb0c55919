"""The vocabulary of retrowalk: recordings, results, labels and errors.

Plain data with no behaviour beyond checking its own shape. Every other
package builds on this one; it imports nothing else from retrowalk.

- :mod:`retrowalk.core.types`: :class:`Direction`, :class:`Placement` and their lists.
- :mod:`retrowalk.core.recording`: :class:`Recording`, :class:`Gap`, :class:`UnitDecision`.
- :mod:`retrowalk.core.results`: :class:`Bout`, :class:`Step`, :class:`Analysis`.
- :mod:`retrowalk.core.errors`: the :class:`RetrowalkError` family.
- :mod:`retrowalk.core.algorithm`: the small base every algorithm class shares.
"""
