"""Gait from one foot-worn inertial sensor, in any mounting orientation.

A sensor strapped to the foot rests on the ground once per stride. Those rests
anchor everything here:

1. **Zero-velocity phases** with the stance hypothesis optimal detector (SHOE) of
   Skog et al. (2010, IEEE Trans Biomed Eng 57:2657): the foot is still where the
   windowed deviation of the specific force from gravity and the windowed angular
   rate are both small. A rest must also be a rest of the foot's *travel*: a
   short "rest" during which the velocity integrated across it stays high is a
   glide in the air (a swing whose pitch turns round), and a long movement is
   cut where its integrated speed drops to about zero (a rest the detector
   missed). No rule here refers to the heel, the toe or the sign of the foot's
   rotation, so a toe-first (backward) stride is segmented like a heel-first
   one. Each stride is integrated from one rest to the next, as in the
   stride-level integration of Rampp et al. (2015, IEEE Trans Biomed Eng
   62:1089).
2. **Swing and initial contact.** Between two rests the foot rotates mainly about
   its medio-lateral (ML) axis, found as the principal axis of the angular rate
   during movement. The swing is where the foot travels fastest (integrated
   speed above half its peak); its sign is the sign of the foot's net pitch
   rotation there (toe-up in a forward swing, toe-down in a backward one), and
   the foot meets the ground at the end of the last same-sign lobe of the ML
   angular rate in the swing (its extreme pitch just before landing, heel or
   toe first). The initial contact is taken
   ``contact_delay_s`` after the end of that lobe. On ipol-gait (Voisard et al.
   2023, IPOL 13:1) the reference heel strikes follow the end of the raw-rate
   lobe by a median of 40 ms, and the reference toe-offs precede its start by a
   median of 37 ms, so the rule is nearly symmetric in time: it finds the first
   contact of forward and of time-reversed (backward) strides alike. With the
   8 Hz low-pass used here, 30 ms balances the two (mean error +2 ms forward,
   -6 ms time-reversed). This is the ML-gyro event logic of Rampp et al. (2015,
   IEEE Trans Biomed Eng 62:1089) without its assumptions that the contact is a
   heel strike and that the swing is the positive lobe. Movements without a
   clear swing lobe (pivots in a turn, short first and last steps) still count
   as strides (see :meth:`FootGaitAnalyzer._stride_segments`) but get direction
   ``"uncertain"``.
3. **Stride displacement** by strapdown integration from one rest to the next
   with a linear drift removal of the velocity between the two zero-velocity
   phases (Mariani et al. 2010, J Biomech 43:2999; Rampp et al. 2015). Each
   stride is integrated in the sensor frame of the rest it starts from, so no
   heading has to be tracked across strides and the result does not depend on
   how the sensor is mounted.
4. **The foot's long axis, and which end is the toe.** The long axis is
   horizontal at rest and perpendicular to the ML axis: ``c = ML x up``. Its sign
   cannot come from the direction of travel, since travel along the axis is
   exactly what tells forward from backward walking. It must come from a cue that
   is the same for forward and backward strides, i.e. one that does not change
   when a stride is played backwards in time (the stand-in for backward walking,
   Grasso et al. 1998, J Neurophysiol 80:1868). The foot's pitch *angle*
   history is such a cue: time reversal traverses the same angles in the
   opposite order, so the extremes of the angle are unchanged. The human ankle
   plantarflexes (toe down, heel up) much further than it dorsiflexes: in forward
   walking the foot leaves the ground at about 60-70 degrees toe-down and meets
   it at about 15-25 degrees toe-up (Perry & Burnfield 2010, Gait Analysis,
   ch. 4; the foot segment angle in Winter 2009, Biomechanics and Motor Control
   of Human Movement, app. A). In backward walking the foot lands on the toe with
   the heel raised and leaves heel-first (Winter et al. 1989, J Biomech 22:519;
   Grasso et al. 1998), so the large excursion is again toe-down. Hence: the end
   of the long axis that dips furthest below the horizontal during swing is the
   toe. The vote is pooled over all strides of the recording (a foot sensor keeps
   its place on the foot).
5. **Direction.** The angle between a stride's horizontal displacement and the
   toe direction (averaged over the two rests) is near 0 for forward and near
   180 degrees for backward strides. On ipol-gait, real forward strides stay
   within about 22 degrees and time-reversed ones beyond about 150 degrees; a
   recording of real backward walking that was checked elsewhere gave 155-178
   degrees. Strides between 65 and 115 degrees that do not turn are
   side-steps (``"sideways"``); other angles in between come from turning or
   shuffles and are ``"uncertain"``.
6. **Bouts** are strides between pauses shorter than ``max_pause_s``, cut
   where the stride direction changes (:mod:`retrowalk.gait.foot.bouts`): a
   forward walk that turns into a backward walk without a pause gives two
   bouts, and every stride keeps its own label. A bout whose foot never
   stands still (its quietest 0.15 s turning at over 0.13 of its swing rate)
   is sensor noise and is refused: at 30 Hz or less the detector's window is
   a sample or two and takes noise's chance dips for rests.

Limitations: a sensor that is moved on the foot during a recording, walking
on stairs or slopes (the vertical axis is taken from gravity at each rest),
and gait without a flat-foot phase (running, toe-walking) are not handled.
Toe-first (backward) strides are checked only on models (forward strides of
ipol-gait turned round, time-reversed, and a kinematic model of a toe-first
stride): mechanics, not accuracy. No real backward foot recording was
available to measure them.
"""

from retrowalk.gait.foot.analyzer import STRIDE_COLUMNS, FootGaitAnalyzer
from retrowalk.gait.foot.bouts import direction_runs

__all__ = ["STRIDE_COLUMNS", "FootGaitAnalyzer", "direction_runs"]
