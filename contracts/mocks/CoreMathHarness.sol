// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarginMath} from "../libraries/MarginMath.sol";
import {QuoteMath} from "../libraries/QuoteMath.sol";
import {PositionBook} from "../margin/PositionBook.sol";

/// @title CoreMathHarness
/// @notice Test double exposing the trading core's libraries (MarginMath, QuoteMath, PositionBook) as external
///         functions. Unit tests only; never deployed by deploy/.
contract CoreMathHarness {
    using PositionBook for PositionBook.Book;

    mapping(uint256 word => uint256) private _words;
    uint256 private _count;

    /* ------------------------------------------------------------------ */
    /*                              MARGIN MATH                           */
    /* ------------------------------------------------------------------ */

    /// @notice `MarginMath.requirement` over every line.
    function requirement(MarginMath.Line[] memory lines, uint256[4] memory spots, uint256 shock, uint256 chargeRate)
        external
        pure
        returns (uint256)
    {
        return MarginMath.requirement(lines, lines.length, spots, shock, chargeRate);
    }

    /// @notice `MarginMath.requirements` over every line.
    function requirements(MarginMath.Line[] memory lines, uint256[4] memory spots, MarginMath.Grids memory g)
        external
        pure
        returns (uint256 initial, uint256 maintenance)
    {
        return MarginMath.requirements(lines, lines.length, spots, g);
    }

    /// @notice `MarginMath.markValue` over every line.
    function markValue(MarginMath.Line[] memory lines) external pure returns (int256) {
        return MarginMath.markValue(lines, lines.length);
    }

    /// @notice `MarginMath.netGreeks` over every line.
    function netGreeks(MarginMath.Line[] memory lines, uint256 underlying) external pure returns (int256, int256) {
        return MarginMath.netGreeks(lines, lines.length, underlying);
    }

    /// @notice `MarginMath.payoff`.
    function payoff(uint256 strike, bool isCall, uint256 spot) external pure returns (uint256) {
        return MarginMath.payoff(strike, isCall, spot);
    }

    /// @notice `MarginMath.minChargePerOption`.
    function minChargePerOption(uint256 spot, uint256 strike, bool isCall, uint256 chargeRate)
        external
        pure
        returns (uint256)
    {
        return MarginMath.minChargePerOption(spot, strike, isCall, chargeRate);
    }

    /// @notice `MarginMath.wadToQuoteFloor`.
    function wadToQuoteFloor(int256 value, uint256 scale) external pure returns (int256) {
        return MarginMath.wadToQuoteFloor(value, scale);
    }

    /// @notice `MarginMath.wadToQuoteCeil`.
    function wadToQuoteCeil(uint256 value, uint256 scale) external pure returns (uint256) {
        return MarginMath.wadToQuoteCeil(value, scale);
    }

    /* ------------------------------------------------------------------ */
    /*                              QUOTE MATH                            */
    /* ------------------------------------------------------------------ */

    /// @notice `QuoteMath.feePerOptionUp`.
    function feePerOptionUp(uint256 mark, uint256 spot, uint256 feeRate, uint256 feeCap) external pure returns (uint256) {
        return QuoteMath.feePerOptionUp(mark, spot, feeRate, feeCap);
    }

    /// @notice `QuoteMath.askPerOptionUp`.
    function askPerOptionUp(uint256 mark, uint256 spot, uint256 spread, uint256 feeRate, uint256 feeCap)
        external
        pure
        returns (uint256)
    {
        return QuoteMath.askPerOptionUp(mark, spot, spread, feeRate, feeCap);
    }

    /// @notice `QuoteMath.bidPerOptionDown`.
    function bidPerOptionDown(uint256 mark, uint256 spot, uint256 spread, uint256 feeRate, uint256 feeCap)
        external
        pure
        returns (uint256)
    {
        return QuoteMath.bidPerOptionDown(mark, spot, spread, feeRate, feeCap);
    }

    /// @notice `QuoteMath.premiumUp`.
    function premiumUp(uint256 perOption, uint256 amount, uint256 scale) external pure returns (uint256) {
        return QuoteMath.premiumUp(perOption, amount, scale);
    }

    /// @notice `QuoteMath.premiumDown`.
    function premiumDown(uint256 perOption, uint256 amount, uint256 scale) external pure returns (uint256) {
        return QuoteMath.premiumDown(perOption, amount, scale);
    }

    /* ------------------------------------------------------------------ */
    /*                             POSITION BOOK                          */
    /* ------------------------------------------------------------------ */

    /// @notice Loads the stored book, adds `delta` to `seriesId`, stores it back.
    function bookAdd(uint256 seriesId, int256 delta) external returns (int256 oldAmount, int256 newAmount) {
        PositionBook.Book memory b = PositionBook.load(_words, _count);
        (oldAmount, newAmount) = b.add(seriesId, delta);
        PositionBook.store(_words, b);
        _count = b.count;
    }

    /// @notice `bookAdd` through `PositionBook.loadFor` and `addAt` (the settlement path), with the words it read.
    function bookAddFor(uint256 seriesId, int256 delta)
        external
        returns (int256 oldAmount, int256 newAmount, uint256 index, uint256[] memory words)
    {
        PositionBook.Book memory b;
        (b, index) = PositionBook.loadFor(_words, _count, seriesId);
        words = new uint256[](b.words.length);
        for (uint256 w; w < words.length; ++w) words[w] = b.words[w];
        (oldAmount, newAmount) = b.addAt(index, seriesId, delta);
        PositionBook.store(_words, b);
        _count = b.count;
    }

    /// @notice Every entry of the stored book.
    function bookEntries() external view returns (uint256[] memory ids, int256[] memory amounts) {
        PositionBook.Book memory b = PositionBook.load(_words, _count);
        ids = new uint256[](b.count);
        amounts = new int256[](b.count);
        for (uint256 i; i < b.count; ++i) (ids[i], amounts[i]) = b.entry(i);
    }

    /// @notice Raw stored word `w`.
    function bookWord(uint256 w) external view returns (uint256) {
        return _words[w];
    }
}
