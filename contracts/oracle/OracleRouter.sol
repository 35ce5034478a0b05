// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {IPriceSource} from "../interfaces/IPriceSource.sol";
import {FeedCall} from "./libraries/FeedCall.sol";
import {OracleMedian} from "./libraries/OracleMedian.sol";
import {OracleReasons} from "./libraries/OracleReasons.sol";
import {SourceList} from "./libraries/SourceList.sol";

/// @title OracleRouter
/// @notice Median of 2 to 5 price sources per underlying with quorum, outlier rejection and an L2 sequencer gate;
///         settlement prices proven from feed rounds, disputable once by the guardian, then final.
/// @dev All behaviour is specified in `IOracleRouter`. Storage is laid out for the spot read, which touches one
///      storage slot: the underlying's configuration, packing the address of its source list (stored as contract code,
///      see `SourceList`), the source count, quorum and deviation. The list holds each source's spot feed
///      (`IPriceSource.SpotFeed`, snapshotted when the sources are set), so a spot read copies the whole configuration
///      with one EXTCODECOPY and calls the feeds directly, applying the adapters' own rule (`FeedAnswer`); adapters are
///      only called for settlement proofs. The sequencer feed is an immutable (no cost on L1); its grace period is read
///      only when a feed is set. A settlement record is one slot per series.
contract OracleRouter is IOracleRouter, AccessManaged {
    using SafeCast for uint256;

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                 HARD BOUNDS                                                  */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Fewest sources per underlying.
    uint256 public constant MIN_SOURCES = 2;
    /// @notice Most sources per underlying (also bounds every loop over sources).
    uint256 public constant MAX_SOURCES = 5;
    /// @notice Smallest quorum: a single source never prices alone.
    uint256 public constant MIN_QUORUM = 2;
    /// @notice Quorum of a newly added underlying.
    uint8 public constant DEFAULT_QUORUM = 2;
    /// @notice Smallest maximum deviation, in basis points (0.1%).
    uint256 public constant MIN_DEVIATION_BPS = 10;
    /// @notice Largest maximum deviation, in basis points (20%).
    uint256 public constant MAX_DEVIATION_BPS = 2_000;
    /// @notice Smallest sequencer grace period.
    uint256 public constant MIN_GRACE_PERIOD = 5 minutes;
    /// @notice Largest sequencer grace period.
    uint256 public constant MAX_GRACE_PERIOD = 1 days;
    /// @notice Gas cap of the sequencer-uptime feed call.
    uint256 public constant SEQUENCER_GAS_LIMIT = 50_000;
    /// @notice Smallest locking period between expiry and round recording.
    uint256 public constant MIN_SETTLEMENT_DELAY = 1 minutes;
    /// @notice Largest locking period between expiry and round recording.
    uint256 public constant MAX_SETTLEMENT_DELAY = 1 days;
    /// @notice Shortest dispute window.
    uint256 public constant MIN_DISPUTE_WINDOW = 10 minutes;
    /// @notice Longest dispute window.
    uint256 public constant MAX_DISPUTE_WINDOW = 3 days;
    /// @notice Narrowest dispute band, in basis points (0.1%).
    uint256 public constant MIN_DISPUTE_BAND_BPS = 10;
    /// @notice Widest dispute band, in basis points (20%).
    uint256 public constant MAX_DISPUTE_BAND_BPS = 2_000;
    /// @notice Shortest delay after expiry before the fallback may propose (always above MAX_SETTLEMENT_DELAY).
    uint256 public constant MIN_FALLBACK_DELAY = 2 days;
    /// @notice Longest delay after expiry before the fallback may propose.
    uint256 public constant MAX_FALLBACK_DELAY = 30 days;

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                   STORAGE                                                    */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @dev One slot: 160 + 8 + 8 + 16 bits. `sourceCount == 0` means "not added".
    struct Config {
        address sourceList;
        uint8 sourceCount;
        uint8 quorum;
        uint16 maxDeviationBps;
    }

    /// @dev L2 sequencer-uptime feed; zero on chains without a sequencer.
    address private immutable _SEQUENCER_FEED;

    mapping(bytes32 underlying => Config) private _configs;
    uint32 private _sequencerGracePeriod;
    SettlementParams private _settlementParams;
    mapping(bytes32 underlying => StatusRecord) private _statusRecords;
    mapping(bytes32 underlying => RecordedSpot) private _recordedSpots;
    mapping(bytes32 underlying => mapping(uint64 expiry => SettlementRecord)) private _settlements;

    /// @param initialAuthority The AccessManager.
    /// @param sequencerFeed The chain's L2 sequencer-uptime feed, or zero on a chain without a sequencer.
    /// @param gracePeriod Initial sequencer grace period (bounded even without a feed).
    /// @param params Initial settlement windows, each within its bounds.
    constructor(address initialAuthority, address sequencerFeed, uint32 gracePeriod, SettlementParams memory params)
        AccessManaged(initialAuthority)
    {
        _SEQUENCER_FEED = sequencerFeed;
        _setSequencerGracePeriod(gracePeriod);
        _setSettlementParams(params);
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                     SPOT                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc IOracleRouter
    function getSpot(bytes32 underlying) external view returns (SpotReading memory) {
        (uint256 price, uint256 reasons, uint256 used, uint256 updatedAt) = _readSpot(underlying);
        uint256 status = _status(reasons);
        // The hottest read of the protocol returns its five words directly: `SpotReading` is a static struct, so its
        // ABI encoding is its fields in order, each a full word, and every value here is already in range (status
        // <= 2, reasons < 2^16, used <= MAX_SOURCES, updatedAt <= block.timestamp).
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, price)
            mstore(add(p, 0x20), status)
            mstore(add(p, 0x40), reasons)
            mstore(add(p, 0x60), used)
            mstore(add(p, 0x80), updatedAt)
            return(p, 0xa0)
        }
    }

    /// @inheritdoc IOracleRouter
    function pokeStatus(bytes32 underlying) external returns (SpotReading memory reading) {
        reading = _reading(underlying);
        StatusRecord memory previous = _statusRecords[underlying];
        if (previous.status != reading.status || previous.reasons != reading.reasons) {
            _statusRecords[underlying] = StatusRecord(reading.status, reading.reasons, uint64(block.timestamp));
            emit OracleStatusChanged(underlying, previous.status, reading.status, reading.reasons);
        }
    }

    /// @inheritdoc IOracleRouter
    function recordSpot(bytes32 underlying) external returns (uint256 price) {
        SpotReading memory reading = _reading(underlying);
        if (reading.status == Status.FAILED) revert OracleSpotUnavailable(underlying, reading.reasons);
        price = reading.price;
        _recordedSpots[underlying] = RecordedSpot(price.toUint128(), reading.updatedAt, uint64(block.timestamp));
        emit SpotRecorded(underlying, price, reading.updatedAt);
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                  SETTLEMENT                                                  */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc IOracleRouter
    function getSettlementPrice(bytes32 underlying, uint64 expiry) external view returns (uint256 price, bool isFinal) {
        SettlementRecord memory record = _settlements[underlying][expiry];
        return (record.price, record.kind != SettlementKind.NONE && block.timestamp >= record.finalAt);
    }

    /// @inheritdoc IOracleRouter
    function recordSettlement(bytes32 underlying, uint64 expiry, uint256[] calldata hints)
        external
        returns (uint256 price)
    {
        // --- Checks ---
        Config memory config = _requireConfig(underlying);
        SettlementParams memory params = _settlementParams;
        _requireUnproposed(underlying, expiry);
        uint256 availableAt = uint256(expiry) + params.settlementDelay;
        if (block.timestamp < availableAt) revert OracleSettlementTooEarly(underlying, expiry, availableAt);
        if (hints.length != config.sourceCount) revert OracleHintsLengthMismatch(hints.length, config.sourceCount);
        (uint256[MAX_SOURCES] memory entries, uint256 verified, uint8 sourceMask) =
            _verifyRounds(config, underlying, expiry, hints);
        uint16 reasons;
        (price,,, reasons) = OracleMedian.aggregate(entries, verified, config.quorum, config.maxDeviationBps);
        if (reasons & OracleReasons.FAILED_MASK != 0) revert OracleSettlementQuorumNotMet(underlying, expiry, reasons);

        // --- Effects ---
        _propose(underlying, expiry, price, SettlementKind.ROUNDS, sourceMask, params.disputeWindow);
    }

    /// @inheritdoc IOracleRouter
    function proposeFallbackSettlement(bytes32 underlying, uint64 expiry) external returns (uint256 price) {
        // --- Checks ---
        _requireConfig(underlying);
        SettlementParams memory params = _settlementParams;
        _requireUnproposed(underlying, expiry);
        uint256 availableAt = uint256(expiry) + params.fallbackDelay;
        if (block.timestamp < availableAt) revert OracleFallbackTooEarly(underlying, expiry, availableAt);

        SpotReading memory reading = _reading(underlying);
        SettlementKind kind;
        if (reading.status != Status.FAILED) {
            price = reading.price;
            kind = SettlementKind.FALLBACK_SPOT;
        } else {
            price = _recordedSpots[underlying].price;
            // The sequencer's grace period exists so that stale prices are not acted on: never bypass it.
            if (reading.reasons & OracleReasons.SEQUENCER_MASK != 0 || price == 0) {
                revert OracleFallbackUnavailable(underlying, expiry, reading.reasons);
            }
            kind = SettlementKind.FALLBACK_RECORDED_SPOT;
        }

        // --- Effects ---
        _propose(underlying, expiry, price, kind, 0, params.disputeWindow);
    }

    /// @inheritdoc IOracleRouter
    function disputeSettlement(bytes32 underlying, uint64 expiry, uint256 price) external restricted {
        // --- Checks ---
        SettlementRecord storage record = _settlements[underlying][expiry];
        if (record.kind == SettlementKind.NONE) revert OracleSettlementNotProposed(underlying, expiry);
        uint64 finalAt = record.finalAt;
        if (block.timestamp >= finalAt) revert OracleDisputeWindowClosed(underlying, expiry, finalAt);
        if (record.disputed) revert OracleSettlementAlreadyDisputed(underlying, expiry);
        uint256 proposed = record.price;
        // Rounded down: the band is never wider than configured.
        uint256 bandDown = (proposed * _settlementParams.disputeBandBps) / OracleMedian.BPS;
        // Cannot underflow: bandDown <= proposed * MAX_DISPUTE_BAND_BPS / BPS < proposed.
        uint256 low = proposed - bandDown;
        uint256 high = proposed + bandDown;
        if (price < low || price > high) revert OracleDisputeOutOfBand(price, low, high);

        // --- Effects ---
        // Fits: price <= high < 2 * proposed, and proposed < 2^128 holds prices far below 2^127.
        record.price = price.toUint128();
        record.disputed = true;
        emit SettlementDisputed(underlying, expiry, proposed, price);
    }

    /// @inheritdoc IOracleRouter
    function getSettlement(bytes32 underlying, uint64 expiry) external view returns (SettlementRecord memory) {
        return _settlements[underlying][expiry];
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                CONFIGURATION                                                 */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc IOracleRouter
    function addUnderlying(bytes32 underlying, IPriceSource[] calldata sources, uint16 maxDeviationBps)
        external
        restricted
    {
        if (_configs[underlying].sourceCount != 0) revert OracleUnderlyingExists(underlying);
        _requireValidSources(sources);
        _requireDeviationInRange(maxDeviationBps);
        // DEFAULT_QUORUM (2) <= MIN_SOURCES, so the quorum is valid for any accepted source list.
        _storeSources(underlying, sources, DEFAULT_QUORUM, maxDeviationBps);
        _statusRecords[underlying] = StatusRecord(Status.FAILED, 0, uint64(block.timestamp));
        emit UnderlyingAdded(underlying, sources, DEFAULT_QUORUM, maxDeviationBps);
    }

    /// @inheritdoc IOracleRouter
    function setSources(bytes32 underlying, IPriceSource[] calldata sources) external restricted {
        Config memory config = _requireConfig(underlying);
        _requireValidSources(sources);
        if (config.quorum > sources.length) revert OracleQuorumOutOfRange(config.quorum, MIN_QUORUM, sources.length);
        _storeSources(underlying, sources, config.quorum, config.maxDeviationBps);
        emit SourcesSet(underlying, sources);
    }

    /// @inheritdoc IOracleRouter
    function setQuorum(bytes32 underlying, uint8 quorum) external restricted {
        Config memory config = _requireConfig(underlying);
        if (quorum < MIN_QUORUM || quorum > config.sourceCount) {
            revert OracleQuorumOutOfRange(quorum, MIN_QUORUM, config.sourceCount);
        }
        _configs[underlying].quorum = quorum;
        emit QuorumSet(underlying, quorum);
    }

    /// @inheritdoc IOracleRouter
    function setMaxDeviation(bytes32 underlying, uint16 maxDeviationBps) external restricted {
        _requireConfig(underlying);
        _requireDeviationInRange(maxDeviationBps);
        _configs[underlying].maxDeviationBps = maxDeviationBps;
        emit MaxDeviationSet(underlying, maxDeviationBps);
    }

    /// @inheritdoc IOracleRouter
    function setSequencerGracePeriod(uint32 gracePeriod) external restricted {
        _setSequencerGracePeriod(gracePeriod);
    }

    /// @inheritdoc IOracleRouter
    function setSettlementParams(SettlementParams calldata params) external restricted {
        _setSettlementParams(params);
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    VIEWS                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc IOracleRouter
    function getUnderlyingConfig(bytes32 underlying)
        external
        view
        returns (IPriceSource[] memory sources, uint8 quorum, uint16 maxDeviationBps)
    {
        Config memory config = _requireConfig(underlying);
        sources = new IPriceSource[](config.sourceCount);
        for (uint256 i = 0; i < sources.length; ++i) {
            sources[i] = _source(config, i);
        }
        return (sources, config.quorum, config.maxDeviationBps);
    }

    /// @inheritdoc IOracleRouter
    function getSpotFeeds(bytes32 underlying) external view returns (IPriceSource.SpotFeed[] memory spots) {
        Config memory config = _requireConfig(underlying);
        spots = new IPriceSource.SpotFeed[](config.sourceCount);
        for (uint256 i = 0; i < spots.length; ++i) {
            spots[i] = SourceList.spotFeedAt(config.sourceList, i);
        }
    }

    /// @inheritdoc IOracleRouter
    function getSequencer() external view returns (address feed, uint32 gracePeriod) {
        return (_SEQUENCER_FEED, _sequencerGracePeriod);
    }

    /// @inheritdoc IOracleRouter
    function getSettlementParams() external view returns (SettlementParams memory) {
        return _settlementParams;
    }

    /// @inheritdoc IOracleRouter
    function getStatusRecord(bytes32 underlying) external view returns (StatusRecord memory) {
        return _statusRecords[underlying];
    }

    /// @inheritdoc IOracleRouter
    function getRecordedSpot(bytes32 underlying) external view returns (RecordedSpot memory) {
        return _recordedSpots[underlying];
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                  INTERNALS                                                   */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @dev The spot read shared by `getSpot`, `pokeStatus`, `recordSpot` and the fallback, as plain words: the price,
    ///      reasons, sources used and oldest `updatedAt` of a `SpotReading` (all zero but `reasons` when FAILED); the
    ///      status follows from the reasons (`_status`).
    function _readSpot(bytes32 underlying)
        private
        view
        returns (uint256 price, uint256 reasons, uint256 used, uint256 updatedAt)
    {
        // Fields read straight from storage (one slot, loaded once), sparing a memory copy of the struct.
        Config storage config = _configs[underlying];
        (address sourceList, uint256 count, uint256 quorum, uint256 maxDeviationBps) =
            (config.sourceList, config.sourceCount, config.quorum, config.maxDeviationBps);
        if (count == 0) revert OracleUnknownUnderlying(underlying);
        reasons = _sequencerReasons();
        if (reasons != 0) return (0, reasons, 0, 0);
        return _readSources(sourceList, count, quorum, maxDeviationBps);
    }

    /// @dev Reads every spot feed of the list (`SourceList.readSpots`) and aggregates the usable answers
    ///      (`OracleMedian.aggregate`, which gives no price, all zero, exactly when it sets a FAILED_MASK bit).
    function _readSources(address sourceList, uint256 count, uint256 quorum, uint256 maxDeviationBps)
        private
        view
        returns (uint256 price, uint256 reasons, uint256 used, uint256 updatedAt)
    {
        uint256[MAX_SOURCES] memory entries;
        (uint256 valid, uint16 sourceReasons) = SourceList.readSpots(sourceList, count, entries);
        uint16 aggregateReasons;
        (price, updatedAt, used, aggregateReasons) = OracleMedian.aggregate(entries, valid, quorum, maxDeviationBps);
        reasons = sourceReasons | aggregateReasons;
    }

    /// @dev OK when no reason is set, FAILED when a FAILED_MASK reason is, DEGRADED otherwise.
    function _status(uint256 reasons) private pure returns (uint256) {
        if (reasons & OracleReasons.FAILED_MASK != 0) return uint256(Status.FAILED);
        return reasons == 0 ? uint256(Status.OK) : uint256(Status.DEGRADED);
    }

    /// @dev `_readSpot` as a `SpotReading`.
    function _reading(bytes32 underlying) private view returns (SpotReading memory reading) {
        (uint256 price, uint256 reasons, uint256 used, uint256 updatedAt) = _readSpot(underlying);
        // reasons < 2^16, used <= MAX_SOURCES and updatedAt <= block.timestamp (future timestamps are rejected).
        reading = SpotReading(price, Status(_status(reasons)), uint16(reasons), uint8(used), uint64(updatedAt));
    }

    /// @dev Verifies the hinted round of every source with a non-zero hint (reverting with the adapter's error when
    ///      a hint does not prove the first round at or after expiry) and emits `SettlementRoundVerified` for each.
    function _verifyRounds(Config memory config, bytes32 underlying, uint64 expiry, uint256[] calldata hints)
        private
        returns (uint256[MAX_SOURCES] memory entries, uint256 verified, uint8 sourceMask)
    {
        uint256 count = config.sourceCount;
        for (uint256 i = 0; i < count; ++i) {
            uint256 hint = hints[i];
            if (hint == 0) continue;
            (uint256 price, uint256 observedAt) = _source(config, i).priceAt(expiry, hint);
            entries[verified++] = OracleMedian.pack(price, observedAt);
            // i < MAX_SOURCES, so the mask stays below 2^5.
            sourceMask |= uint8(1 << i);
            emit SettlementRoundVerified(underlying, expiry, uint8(i), hint, price, observedAt);
        }
    }

    /// @dev Sequencer gate (Chainlink semantics: answer 0 = up, 1 = down, startedAt = since when). Zero when no
    ///      sequencer feed is set or it is up past the grace period. Any other answer, a zero `startedAt`, or a failed
    ///      call is REASON_SEQUENCER_FEED_FAILED. A non-zero result is only returned when the feed had its full gas cap.
    function _sequencerReasons() private view returns (uint16 reasons) {
        address feed = _SEQUENCER_FEED;
        if (feed == address(0)) return 0;
        (bool ok, uint256 gasBefore, int256 answer, uint256 startedAt,) =
            FeedCall.latestRoundData(feed, SEQUENCER_GAS_LIMIT);
        if (!ok || startedAt == 0 || (answer != 0 && answer != 1)) {
            reasons = OracleReasons.REASON_SEQUENCER_FEED_FAILED;
        } else if (answer == 1) {
            reasons = OracleReasons.REASON_SEQUENCER_DOWN;
        } else if (startedAt > block.timestamp || block.timestamp - startedAt <= _sequencerGracePeriod) {
            reasons = OracleReasons.REASON_SEQUENCER_GRACE_PERIOD;
        }
        if (reasons != 0) FeedCall.requireFullGas(gasBefore, SEQUENCER_GAS_LIMIT);
    }

    /// @dev Source `index` (< sourceCount) of an underlying whose config is `config`.
    function _source(Config memory config, uint256 index) private view returns (IPriceSource) {
        return SourceList.at(config.sourceList, config.sourceCount, index);
    }

    function _requireConfig(bytes32 underlying) private view returns (Config memory config) {
        config = _configs[underlying];
        if (config.sourceCount == 0) revert OracleUnknownUnderlying(underlying);
    }

    function _requireUnproposed(bytes32 underlying, uint64 expiry) private view {
        if (expiry == 0) revert OracleInvalidExpiry(expiry);
        SettlementRecord memory record = _settlements[underlying][expiry];
        if (record.kind != SettlementKind.NONE) {
            revert OracleSettlementAlreadyProposed(underlying, expiry, record.price, block.timestamp >= record.finalAt);
        }
    }

    function _propose(
        bytes32 underlying,
        uint64 expiry,
        uint256 price,
        SettlementKind kind,
        uint8 sourceMask,
        uint32 disputeWindow
    ) private {
        uint64 finalAt = uint64(block.timestamp + disputeWindow);
        _settlements[underlying][expiry] = SettlementRecord(price.toUint128(), finalAt, sourceMask, kind, false);
        emit SettlementProposed(underlying, expiry, price, kind, finalAt);
    }

    /// @dev Count within [MIN_SOURCES, MAX_SOURCES], no zero address, no duplicate (a duplicate would vote twice).
    function _requireValidSources(IPriceSource[] calldata sources) private pure {
        uint256 count = sources.length;
        if (count < MIN_SOURCES || count > MAX_SOURCES) {
            revert OracleSourceCountOutOfRange(count, MIN_SOURCES, MAX_SOURCES);
        }
        for (uint256 i = 0; i < count; ++i) {
            if (address(sources[i]) == address(0)) revert OracleZeroSource(i);
            for (uint256 j = 0; j < i; ++j) {
                if (sources[j] == sources[i]) revert OracleDuplicateSource(i, address(sources[i]));
            }
        }
    }

    function _requireDeviationInRange(uint256 maxDeviationBps) private pure {
        if (maxDeviationBps < MIN_DEVIATION_BPS || maxDeviationBps > MAX_DEVIATION_BPS) {
            revert OracleDeviationOutOfRange(maxDeviationBps, MIN_DEVIATION_BPS, MAX_DEVIATION_BPS);
        }
    }

    /// @dev Takes a snapshot of every validated source's spot feed, checks that it can be stored and read safely
    ///      (`SourceList.isStorable`, else `OracleSpotFeedInvalid`), then writes the list (a new `SourceList` data
    ///      contract) and the configuration slot. The sources are protocol adapters chosen by the timelocked admin.
    function _storeSources(bytes32 underlying, IPriceSource[] calldata sources, uint8 quorum, uint16 maxDeviationBps)
        private
    {
        IPriceSource.SpotFeed[] memory spots = new IPriceSource.SpotFeed[](sources.length);
        for (uint256 i = 0; i < sources.length; ++i) {
            spots[i] = sources[i].spotFeed();
            if (!SourceList.isStorable(spots[i])) revert OracleSpotFeedInvalid(i, address(sources[i]));
        }
        address sourceList = SourceList.write(sources, spots);
        // sources.length <= MAX_SOURCES fits a uint8.
        _configs[underlying] = Config(sourceList, uint8(sources.length), quorum, maxDeviationBps);
    }

    function _setSequencerGracePeriod(uint32 gracePeriod) private {
        if (gracePeriod < MIN_GRACE_PERIOD || gracePeriod > MAX_GRACE_PERIOD) {
            revert OracleGracePeriodOutOfRange(gracePeriod, MIN_GRACE_PERIOD, MAX_GRACE_PERIOD);
        }
        _sequencerGracePeriod = gracePeriod;
        emit SequencerGracePeriodSet(gracePeriod);
    }

    function _setSettlementParams(SettlementParams memory params) private {
        if (params.settlementDelay < MIN_SETTLEMENT_DELAY || params.settlementDelay > MAX_SETTLEMENT_DELAY) {
            revert OracleSettlementDelayOutOfRange(params.settlementDelay, MIN_SETTLEMENT_DELAY, MAX_SETTLEMENT_DELAY);
        }
        if (params.disputeWindow < MIN_DISPUTE_WINDOW || params.disputeWindow > MAX_DISPUTE_WINDOW) {
            revert OracleDisputeWindowOutOfRange(params.disputeWindow, MIN_DISPUTE_WINDOW, MAX_DISPUTE_WINDOW);
        }
        if (params.disputeBandBps < MIN_DISPUTE_BAND_BPS || params.disputeBandBps > MAX_DISPUTE_BAND_BPS) {
            revert OracleDisputeBandOutOfRange(params.disputeBandBps, MIN_DISPUTE_BAND_BPS, MAX_DISPUTE_BAND_BPS);
        }
        if (params.fallbackDelay < MIN_FALLBACK_DELAY || params.fallbackDelay > MAX_FALLBACK_DELAY) {
            revert OracleFallbackDelayOutOfRange(params.fallbackDelay, MIN_FALLBACK_DELAY, MAX_FALLBACK_DELAY);
        }
        _settlementParams = params;
        emit SettlementParamsSet(params);
    }
}
