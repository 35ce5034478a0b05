// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title PositionBook
/// @notice The open positions of one account, packed two per storage word, loaded into memory, edited there and
///         written back word by word (only the words that changed).
/// @dev Storage layout: word `w` holds entries `2w` (low 128 bits) and `2w + 1` (high 128 bits). An entry is
///      `seriesId << 96 | uint96(int96(amount))`; an all-zero entry is empty (series ids start at 1 and an open
///      position is never zero). Entries `[0, count)` are dense: removal moves the last entry into the gap, so the
///      order of a book is not stable. Reading a book of n positions costs ceil(n / 2) storage reads; the bound on
///      n is the caller's (`MarginEngine` bounds every account).
library PositionBook {
    /// @notice A book in memory.
    /// @param ids Series id per entry (capacity: loaded count + 1, enough for one insertion).
    /// @param amounts Signed amount per entry.
    /// @param count Number of entries in use.
    /// @param dirty Bit set of the word indexes to write back.
    struct Book {
        uint256[] ids;
        int256[] amounts;
        uint256 count;
        uint256 dirty;
    }

    /// @dev Entry field widths.
    uint256 private constant AMOUNT_BITS = 96;
    uint256 private constant ENTRY_BITS = 128;
    uint256 private constant AMOUNT_MASK = (1 << AMOUNT_BITS) - 1;
    uint256 private constant ENTRY_MASK = (1 << ENTRY_BITS) - 1;

    /// @notice Loads the `count` entries of a book.
    function load(mapping(uint256 => uint256) storage words, uint256 count) internal view returns (Book memory b) {
        b.ids = new uint256[](count + 1);
        b.amounts = new int256[](count + 1);
        b.count = count;
        for (uint256 i; i < count; i += 2) {
            uint256 word = words[i >> 1];
            (b.ids[i], b.amounts[i]) = _decode(word & ENTRY_MASK);
            if (i + 1 < count) (b.ids[i + 1], b.amounts[i + 1]) = _decode(word >> ENTRY_BITS);
        }
    }

    /// @notice Index of `seriesId` in the book, or `count` when absent.
    function indexOf(Book memory b, uint256 seriesId) internal pure returns (uint256 index) {
        uint256 count = b.count;
        for (; index < count; ++index) {
            if (b.ids[index] == seriesId) return index;
        }
    }

    /// @notice Adds `delta` to the position in `seriesId`, inserting or removing the entry as needed.
    /// @dev The caller checks that `newAmount` fits int96 and that the book stays within its bound. An insertion
    ///      needs the spare capacity `load` reserves: at most one insertion per loaded book.
    /// @return oldAmount The position before.
    /// @return newAmount The position after.
    function add(Book memory b, uint256 seriesId, int256 delta) internal pure returns (int256 oldAmount, int256 newAmount) {
        uint256 index = indexOf(b, seriesId);
        if (index < b.count) oldAmount = b.amounts[index];
        newAmount = oldAmount + delta;
        if (index == b.count) {
            if (newAmount == 0) return (oldAmount, newAmount);
            b.ids[index] = seriesId;
            b.amounts[index] = newAmount;
            b.count = index + 1;
            b.dirty |= 1 << (index >> 1);
        } else if (newAmount == 0) {
            uint256 last = b.count - 1;
            b.ids[index] = b.ids[last];
            b.amounts[index] = b.amounts[last];
            b.ids[last] = 0;
            b.amounts[last] = 0;
            b.count = last;
            b.dirty |= (1 << (index >> 1)) | (1 << (last >> 1));
        } else {
            b.amounts[index] = newAmount;
            b.dirty |= 1 << (index >> 1);
        }
    }

    /// @notice Writes back every word the edits touched.
    function store(mapping(uint256 => uint256) storage words, Book memory b) internal {
        uint256 dirty = b.dirty;
        uint256 capacity = b.ids.length;
        for (uint256 w; dirty != 0; ++w) {
            if (dirty & 1 != 0) {
                uint256 i = w << 1;
                uint256 low = i < capacity ? _encode(b.ids[i], b.amounts[i]) : 0;
                uint256 high = i + 1 < capacity ? _encode(b.ids[i + 1], b.amounts[i + 1]) : 0;
                words[w] = low | (high << ENTRY_BITS);
            }
            dirty >>= 1;
        }
        b.dirty = 0;
    }

    /// @notice Number of short entries in the book.
    function shortCount(Book memory b) internal pure returns (uint256 shorts) {
        for (uint256 i; i < b.count; ++i) {
            if (b.amounts[i] < 0) ++shorts;
        }
    }

    /// @dev Packs one entry; an id of zero packs to the empty entry.
    function _encode(uint256 seriesId, int256 amount) private pure returns (uint256) {
        if (seriesId == 0) return 0;
        // The caller guarantees int96 range and a 32-bit id; the casts only reinterpret the bits.
        return (seriesId << AMOUNT_BITS) | (uint256(int256(int96(amount))) & AMOUNT_MASK);
    }

    /// @dev Unpacks one entry.
    function _decode(uint256 entry) private pure returns (uint256 seriesId, int256 amount) {
        seriesId = entry >> AMOUNT_BITS;
        amount = int256(int96(uint96(entry & AMOUNT_MASK)));
    }
}
