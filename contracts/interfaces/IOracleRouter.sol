// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPriceSource} from "./IPriceSource.sol";

/// @title IOracleRouter
/// @notice Multi-source spot and settlement prices, one set of 2 to 5 sources per underlying.
/// @dev Prices are WAD (18 decimals) quote units per one unit of underlying.
///      Underlyings are identified by a `bytes32` id (for example `bytes32("ETH")`).
///
///      Spot. Every configured source is read as its `IPriceSource.latestPrice` would read it: the router calls the
///      source's spot feed directly with the source's own rule (`IPriceSource.SpotFeed`, snapshotted when the sources
///      are set); a source is valid when fresh and sane (see the adapter). The valid prices are aggregated by
///      `OracleMedian`: median m of the valid sources, sources further than `maxDeviationBps` from m are dropped as
///      outliers, the price is the median of the rest.
///      Status:
///      - OK: the sequencer (if any) is up past its grace period and every configured source is valid and within
///        the deviation of the median (`reasons == 0`).
///      - DEGRADED: a price is given, but some sources were invalid or outliers (their REASON_SOURCE_* bits and/or
///        REASON_OUTLIER are set); at least `quorum` sources agree.
///      - FAILED: no price (`price == 0`, `validSources == 0`, `updatedAt == 0`) because the sequencer is down, in
///        its grace period or unreadable, fewer than `quorum` sources are valid (REASON_BELOW_QUORUM), or fewer than
///        `quorum` valid sources lie within the deviation of their median (REASON_DEVIATION).
///      Reason bits are the `REASON_*` constants of `OracleReasons`.
///
///      Settlement. For a series (underlying, expiry): once `expiry + settlementDelay` has passed, anyone calls
///      `recordSettlement` with one hint per source (the round ids of the first round at or after the expiry, proven
///      on-chain by the adapter; zero to skip a source). The verified prices are aggregated exactly like a spot read;
///      with a quorum the median becomes the proposed price. During `disputeWindow` after the proposal the guardian
///      may replace it once, within `disputeBandBps` of it. Afterwards the price is final; finality follows from the
///      clock, so no further transaction is needed. A series is written once: a second proposal is refused with
///      `OracleSettlementAlreadyProposed`, a second dispute with `OracleSettlementAlreadyDisputed`.
///      Fallback: if nothing was proposed by `expiry + fallbackDelay`, anyone may call `proposeFallbackSettlement`,
///      which proposes the current spot median when the spot is not FAILED, else the last spot recorded with
///      `recordSpot` (never when the spot failed because of the sequencer), under the same dispute window.
///
///      Gas: reads of external feeds are capped and never let a feed revert, burn gas or flood return data through;
///      when an answer is unusable and the caller did not leave enough gas to give the feed its full cap, the call
///      reverts with `FeedCall.OracleInsufficientGas` instead of counting the source as failed.
///
///      Roles (OpenZeppelin AccessManager; ids in `Roles`): ADMIN (timelocked) adds underlyings and sets sources;
///      RISK sets quorum, deviation, the sequencer grace period and the settlement windows; GUARDIAN disputes a
///      proposed settlement. Every parameter is bounded by constants of the implementation. The L2 sequencer-uptime
///      feed is wiring, fixed at construction (zero on L1).
interface IOracleRouter {
    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    TYPES                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Health of a spot reading.
    /// @dev OK: quorum of fresh, sane, agreeing sources. DEGRADED: a price is given, but some sources were
    ///      dropped (reason says why). FAILED: no price can be trusted; `price` is zero.
    enum Status {
        OK,
        DEGRADED,
        FAILED
    }

    /// @notice One spot reading.
    /// @param price Median of the valid sources, WAD; zero when `status` is FAILED.
    /// @param status OK, DEGRADED or FAILED.
    /// @param reasons Bit set of `REASON_*` flags explaining a DEGRADED or FAILED status (zero when OK).
    /// @param validSources Number of sources that contributed to the median.
    /// @param updatedAt Oldest `updatedAt` among the sources used (0 when FAILED).
    struct SpotReading {
        uint256 price;
        Status status;
        uint16 reasons;
        uint8 validSources;
        uint64 updatedAt;
    }

    /// @notice How a settlement price was proposed.
    enum SettlementKind {
        NONE,
        ROUNDS,
        FALLBACK_SPOT,
        FALLBACK_RECORDED_SPOT
    }

    /// @notice The settlement record of one series (underlying, expiry); one storage slot.
    /// @param price Proposed (or disputed) price, WAD; zero when `kind` is NONE.
    /// @param finalAt Time from which the price is final (proposal time + dispute window at proposal).
    /// @param sourceMask Bit i set when source i's round was verified (ROUNDS only).
    /// @param kind How the price was proposed.
    /// @param disputed True once the guardian has replaced the price.
    struct SettlementRecord {
        uint128 price;
        uint64 finalAt;
        uint8 sourceMask;
        SettlementKind kind;
        bool disputed;
    }

    /// @notice Settlement windows, shared by every underlying.
    /// @param settlementDelay Seconds after expiry before rounds may be recorded (locking period).
    /// @param disputeWindow Seconds after a proposal during which the guardian may replace it.
    /// @param disputeBandBps Largest guardian change, in basis points of the proposed price.
    /// @param fallbackDelay Seconds after expiry after which the fallback path may propose a price.
    struct SettlementParams {
        uint32 settlementDelay;
        uint32 disputeWindow;
        uint16 disputeBandBps;
        uint32 fallbackDelay;
    }

    /// @notice Last status recorded by `pokeStatus`.
    struct StatusRecord {
        Status status;
        uint16 reasons;
        uint64 changedAt;
    }

    /// @notice Last spot recorded by `recordSpot`.
    struct RecordedSpot {
        uint128 price;
        uint64 updatedAt;
        uint64 recordedAt;
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    EVENTS                                                    */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Emitted when an underlying is added, with its sources, default quorum and deviation.
    event UnderlyingAdded(bytes32 indexed underlying, IPriceSource[] sources, uint8 quorum, uint16 maxDeviationBps);
    /// @notice Emitted when the sources of an underlying are replaced.
    event SourcesSet(bytes32 indexed underlying, IPriceSource[] sources);
    /// @notice Emitted when the quorum of an underlying changes.
    event QuorumSet(bytes32 indexed underlying, uint8 quorum);
    /// @notice Emitted when the maximum deviation of an underlying changes.
    event MaxDeviationSet(bytes32 indexed underlying, uint16 maxDeviationBps);
    /// @notice Emitted when the sequencer grace period changes (and once at construction).
    event SequencerGracePeriodSet(uint32 gracePeriod);
    /// @notice Emitted when the settlement windows change.
    event SettlementParamsSet(SettlementParams params);
    /// @notice Emitted by `pokeStatus` when the status or its reasons differ from the last recorded ones.
    event OracleStatusChanged(bytes32 indexed underlying, Status previousStatus, Status status, uint16 reasons);
    /// @notice Emitted by `recordSpot`.
    event SpotRecorded(bytes32 indexed underlying, uint256 price, uint64 updatedAt);
    /// @notice Emitted by `recordSettlement` for every source whose round was verified.
    event SettlementRoundVerified(
        bytes32 indexed underlying, uint64 indexed expiry, uint8 sourceIndex, uint256 hint, uint256 price, uint256 observedAt
    );
    /// @notice Emitted when a settlement price is proposed; it is final from `finalAt` unless disputed before.
    event SettlementProposed(
        bytes32 indexed underlying, uint64 indexed expiry, uint256 price, SettlementKind kind, uint64 finalAt
    );
    /// @notice Emitted when the guardian replaces a proposed settlement price.
    event SettlementDisputed(bytes32 indexed underlying, uint64 indexed expiry, uint256 previousPrice, uint256 price);

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    ERRORS                                                    */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @dev Fires when an underlying that was never added is read, configured or settled.
    error OracleUnknownUnderlying(bytes32 underlying);
    /// @dev Fires in `addUnderlying` when the underlying already exists.
    error OracleUnderlyingExists(bytes32 underlying);
    /// @dev Fires when a source list is shorter than MIN_SOURCES or longer than MAX_SOURCES.
    error OracleSourceCountOutOfRange(uint256 count, uint256 min, uint256 max);
    /// @dev Fires when a source list holds the zero address.
    error OracleZeroSource(uint256 index);
    /// @dev Fires when a source list holds the same source twice (it would count twice towards the quorum).
    error OracleDuplicateSource(uint256 index, address source);
    /// @dev Fires in `addUnderlying`/`setSources` when source `index`'s `spotFeed()` cannot be stored or read safely:
    ///      a zero feed, a scale of zero or of 2^64 or more, a min price of zero or of 2^128 or more, or a max answer
    ///      whose WAD value overflows or exceeds 1e36 (`SourceList.isStorable`).
    error OracleSpotFeedInvalid(uint256 index, address source);
    /// @dev Fires when a quorum lies outside [MIN_QUORUM, number of sources].
    error OracleQuorumOutOfRange(uint256 quorum, uint256 min, uint256 max);
    /// @dev Fires when a maximum deviation lies outside [MIN_DEVIATION_BPS, MAX_DEVIATION_BPS].
    error OracleDeviationOutOfRange(uint256 maxDeviationBps, uint256 min, uint256 max);
    /// @dev Fires when a sequencer grace period lies outside [MIN_GRACE_PERIOD, MAX_GRACE_PERIOD].
    error OracleGracePeriodOutOfRange(uint256 gracePeriod, uint256 min, uint256 max);
    /// @dev Fires when a settlement delay lies outside [MIN_SETTLEMENT_DELAY, MAX_SETTLEMENT_DELAY].
    error OracleSettlementDelayOutOfRange(uint256 settlementDelay, uint256 min, uint256 max);
    /// @dev Fires when a dispute window lies outside [MIN_DISPUTE_WINDOW, MAX_DISPUTE_WINDOW].
    error OracleDisputeWindowOutOfRange(uint256 disputeWindow, uint256 min, uint256 max);
    /// @dev Fires when a dispute band lies outside [MIN_DISPUTE_BAND_BPS, MAX_DISPUTE_BAND_BPS].
    error OracleDisputeBandOutOfRange(uint256 disputeBandBps, uint256 min, uint256 max);
    /// @dev Fires when a fallback delay lies outside [MIN_FALLBACK_DELAY, MAX_FALLBACK_DELAY].
    error OracleFallbackDelayOutOfRange(uint256 fallbackDelay, uint256 min, uint256 max);
    /// @dev Fires in `recordSpot` when the spot is FAILED.
    error OracleSpotUnavailable(bytes32 underlying, uint16 reasons);
    /// @dev Fires when a settlement function is given expiry zero.
    error OracleInvalidExpiry(uint64 expiry);
    /// @dev Fires in `recordSettlement` before `expiry + settlementDelay`.
    error OracleSettlementTooEarly(bytes32 underlying, uint64 expiry, uint256 availableAt);
    /// @dev Fires when a price is proposed for a series that already has one (the series is written once).
    error OracleSettlementAlreadyProposed(bytes32 underlying, uint64 expiry, uint256 price, bool isFinal);
    /// @dev Fires in `recordSettlement` when there is not exactly one hint per configured source.
    error OracleHintsLengthMismatch(uint256 length, uint256 sourceCount);
    /// @dev Fires in `recordSettlement` when the verified rounds give no quorum of agreeing sources.
    error OracleSettlementQuorumNotMet(bytes32 underlying, uint64 expiry, uint16 reasons);
    /// @dev Fires in `proposeFallbackSettlement` before `expiry + fallbackDelay`.
    error OracleFallbackTooEarly(bytes32 underlying, uint64 expiry, uint256 availableAt);
    /// @dev Fires in `proposeFallbackSettlement` when the spot is FAILED and no spot was ever recorded, or the spot is
    ///      FAILED because of the sequencer.
    error OracleFallbackUnavailable(bytes32 underlying, uint64 expiry, uint16 reasons);
    /// @dev Fires in `disputeSettlement` when the series has no proposed price.
    error OracleSettlementNotProposed(bytes32 underlying, uint64 expiry);
    /// @dev Fires in `disputeSettlement` at or after `finalAt`.
    error OracleDisputeWindowClosed(bytes32 underlying, uint64 expiry, uint64 finalAt);
    /// @dev Fires in `disputeSettlement` when the price was already disputed once.
    error OracleSettlementAlreadyDisputed(bytes32 underlying, uint64 expiry);
    /// @dev Fires in `disputeSettlement` when the new price is zero or outside the band around the proposal.
    error OracleDisputeOutOfBand(uint256 price, uint256 min, uint256 max);

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                     SPOT                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Spot price of `underlying` with its status. Never reverts for a configured underlying.
    /// @dev Exception: `OracleInsufficientGas` when a source's answer is unusable and the caller left too little gas
    ///      to tell a feed failure from starvation (see `FeedCall`). Reverts `OracleUnknownUnderlying` otherwise.
    function getSpot(bytes32 underlying) external view returns (SpotReading memory reading);

    /// @notice Reads the spot and records its status, emitting `OracleStatusChanged` only when the status or its
    ///         reasons differ from the last recorded ones. Permissionless.
    /// @dev A new underlying is recorded FAILED (reasons 0) until its first poke, so going live shows as a transition.
    /// @return reading The spot reading, as `getSpot` returns it.
    function pokeStatus(bytes32 underlying) external returns (SpotReading memory reading);

    /// @notice Records the current spot (price and `updatedAt`) as the last good spot used by the settlement fallback.
    ///         Permissionless. Reverts `OracleSpotUnavailable` when the spot is FAILED.
    /// @return price The recorded price, WAD.
    function recordSpot(bytes32 underlying) external returns (uint256 price);

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                  SETTLEMENT                                                  */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Settlement price of `underlying` at `expiry`.
    /// @return price The price in WAD; zero when nothing is proposed yet.
    /// @return isFinal True once the proposal's dispute window has passed (rounds or fallback alike): the price is
    ///         then immutable.
    function getSettlementPrice(bytes32 underlying, uint64 expiry) external view returns (uint256 price, bool isFinal);

    /// @notice Verifies, per source, the first round at or after `expiry` and proposes the median. Permissionless.
    /// @dev Needs `block.timestamp >= expiry + settlementDelay`, no earlier proposal, `hints.length` equal to the number
    ///      of sources (hint 0 skips a source), and a quorum of verified sources agreeing like in a spot read (outliers
    ///      are dropped). A hint that does not verify reverts with the adapter's error. Emits one
    ///      `SettlementRoundVerified` per verified source and `SettlementProposed`. Adapters are only called with
    ///      STATICCALL, so there is no re-entrancy.
    ///      Known limits: the caller chooses which sources to include; every included round is the genuine first
    ///      round after expiry and all used ones agree within the deviation, which bounds the choice, and the guardian
    ///      can correct the rest within the band. The sources, quorum and deviation applied are those configured when
    ///      the rounds are recorded, not at expiry.
    /// @param hints One hint per source, in source order (for Chainlink: `roundId | previousRoundId << 80`).
    /// @return price The proposed price, WAD.
    function recordSettlement(bytes32 underlying, uint64 expiry, uint256[] calldata hints)
        external
        returns (uint256 price);

    /// @notice Proposes a fallback settlement price once `expiry + fallbackDelay` has passed with no proposal.
    ///         Permissionless.
    /// @dev The price is the current spot when it is not FAILED (kind FALLBACK_SPOT), else the last spot recorded by
    ///      `recordSpot` (kind FALLBACK_RECORDED_SPOT). Reverts `OracleFallbackUnavailable` when the spot is FAILED
    ///      because of the sequencer (the grace period must not be bypassed) or nothing was ever recorded. The
    ///      proposal gets the same dispute window as any other. Funds are never locked for good: if every source is
    ///      dead, the admin can swap in working sources and the fallback then prices from them.
    /// @return price The proposed price, WAD.
    function proposeFallbackSettlement(bytes32 underlying, uint64 expiry) external returns (uint256 price);

    /// @notice Replaces a proposed settlement price, once, before it is final, within the dispute band.
    /// @dev `restricted`: meant for GUARDIAN. `price` must satisfy |price - proposed| * 10_000 <= proposed * band.
    function disputeSettlement(bytes32 underlying, uint64 expiry, uint256 price) external;

    /// @notice The full settlement record of a series (zeroed when nothing was proposed).
    function getSettlement(bytes32 underlying, uint64 expiry) external view returns (SettlementRecord memory);

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                CONFIGURATION                                                 */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Adds an underlying with its sources (2 to 5, no duplicates) and maximum deviation; quorum starts at
    ///         DEFAULT_QUORUM.
    /// @dev `restricted`: meant for ADMIN (timelocked), since sources decide every price. Takes a snapshot of each
    ///      source's `spotFeed()`, which spot reads use from then on (see `IPriceSource`).
    function addUnderlying(bytes32 underlying, IPriceSource[] calldata sources, uint16 maxDeviationBps) external;

    /// @notice Replaces the sources of an underlying (2 to 5, no duplicates, at least the quorum).
    /// @dev `restricted`: meant for ADMIN (timelocked). Also how an adapter's heartbeat, bounds or gas cap change:
    ///      deploy a new adapter and swap it in. Takes a new snapshot of every source's `spotFeed()`.
    function setSources(bytes32 underlying, IPriceSource[] calldata sources) external;

    /// @notice Sets how many agreeing sources a price needs, in [MIN_QUORUM, number of sources].
    /// @dev `restricted`: meant for RISK.
    function setQuorum(bytes32 underlying, uint8 quorum) external;

    /// @notice Sets the largest distance of a used source from the median, in [MIN_DEVIATION_BPS, MAX_DEVIATION_BPS].
    /// @dev `restricted`: meant for RISK.
    function setMaxDeviation(bytes32 underlying, uint16 maxDeviationBps) external;

    /// @notice Sets the grace period after the sequencer comes back up, in [MIN_GRACE_PERIOD, MAX_GRACE_PERIOD].
    /// @dev `restricted`: meant for RISK. The sequencer-uptime feed itself is chain wiring, fixed at construction
    ///      (zero on L1: no gate and no cost).
    function setSequencerGracePeriod(uint32 gracePeriod) external;

    /// @notice Sets the settlement windows, each within its bounds.
    /// @dev `restricted`: meant for RISK. A proposal keeps the `finalAt` it got when made.
    function setSettlementParams(SettlementParams calldata params) external;

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    VIEWS                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Configuration of an underlying. Reverts `OracleUnknownUnderlying` for an unknown one.
    function getUnderlyingConfig(bytes32 underlying)
        external
        view
        returns (IPriceSource[] memory sources, uint8 quorum, uint16 maxDeviationBps);

    /// @notice The spot feed of each source, in source order, as snapshotted when the sources were set: what spot
    ///         reads actually call and check. Reverts `OracleUnknownUnderlying` for an unknown one.
    function getSpotFeeds(bytes32 underlying) external view returns (IPriceSource.SpotFeed[] memory spots);

    /// @notice The sequencer-uptime feed (zero when none, fixed at construction) and its grace period.
    function getSequencer() external view returns (address feed, uint32 gracePeriod);

    /// @notice The settlement windows.
    function getSettlementParams() external view returns (SettlementParams memory);

    /// @notice The last status recorded by `pokeStatus`.
    function getStatusRecord(bytes32 underlying) external view returns (StatusRecord memory);

    /// @notice The last spot recorded by `recordSpot` (zeroed when none).
    function getRecordedSpot(bytes32 underlying) external view returns (RecordedSpot memory);
}
