// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title PositionBook
/// @notice The open positions of one account, packed two per storage word, copied to memory as words, edited
///         there and written back word by word (only the words that changed).
/// @dev Layout: word `w` holds entries `2w` (low 128 bits) and `2w + 1` (high 128 bits). An entry is
///      `seriesId << 96 | uint96(int96(amount))`; an all-zero entry is empty (series ids start at 1 and an open
///      position is never zero). Entries `[0, count)` are dense: removal moves the last entry into the gap, so the
///      order of a book is not stable. Reading a book of n positions costs ceil(n / 2) storage reads; the bound on
///      n is the caller's (`MarginEngine` bounds every account). Callers guarantee 32-bit series ids and int96
///      amounts.
library PositionBook {
    /// @notice A book in memory.
    /// @param words Packed words, with room for one more entry than loaded.
    /// @param count Number of entries in use.
    /// @param dirty Bit set of the word indexes to write back.
    struct Book {
        uint256[] words;
        uint256 count;
        uint256 dirty;
    }

    /// @dev Entry field widths.
    uint256 private constant AMOUNT_BITS = 96;
    uint256 private constant ENTRY_BITS = 128;
    uint256 private constant AMOUNT_MASK = (1 << AMOUNT_BITS) - 1;
    uint256 private constant ENTRY_MASK = (1 << ENTRY_BITS) - 1;

    /// @notice Loads the `count` entries of a book.
    function load(mapping(uint256 => uint256) storage stored, uint256 count) internal view returns (Book memory b) {
        // Room for one insertion: entry `count` lives in word count / 2.
        b.words = new uint256[]((count >> 1) + 1);
        b.count = count;
        uint256 used = (count + 1) >> 1;
        for (uint256 w; w < used; ++w) b.words[w] = stored[w];
    }

    /// @notice `load` for a caller that edits one series only (settlement): reads the words from the last one down
    ///         to the one holding `seriesId` (all of them when it is absent) and leaves the lower words zero in memory.
    /// @dev Every edit of `seriesId` at `index` (`addAt`) then touches loaded words only: the entry's word, the last
    ///      word (a removal moves the last entry) and the word after it (an insertion). Other reads of such a book
    ///      are wrong: the caller uses it for this one edit, then `store`.
    /// @return b The partly loaded book.
    /// @return index Index of `seriesId`, or `count` when absent.
    function loadFor(mapping(uint256 => uint256) storage stored, uint256 count, uint256 seriesId)
        internal
        view
        returns (Book memory b, uint256 index)
    {
        b.words = new uint256[]((count >> 1) + 1);
        b.count = count;
        index = count;
        for (uint256 i = count; i != 0;) {
            // Cannot underflow: i != 0.
            unchecked {
                --i;
            }
            uint256 w = i >> 1;
            // A word is read at its first entry from the top: the last entry, or a high half.
            if (i & 1 == 1 || i + 1 == count) b.words[w] = stored[w];
            uint256 e = (i & 1 == 0) ? b.words[w] & ENTRY_MASK : b.words[w] >> ENTRY_BITS;
            if (e >> AMOUNT_BITS == seriesId) return (b, i);
        }
    }

    /// @notice Series id and amount of entry `i` (below `count`).
    function entry(Book memory b, uint256 i) internal pure returns (uint256 seriesId, int256 amount) {
        uint256 e = (i & 1 == 0) ? b.words[i >> 1] & ENTRY_MASK : b.words[i >> 1] >> ENTRY_BITS;
        seriesId = e >> AMOUNT_BITS;
        amount = int256(int96(uint96(e & AMOUNT_MASK)));
    }

    /// @notice Index of `seriesId` in the book, or `count` when absent.
    function indexOf(Book memory b, uint256 seriesId) internal pure returns (uint256 index) {
        uint256 count = b.count;
        for (; index < count; ++index) {
            uint256 word = b.words[index >> 1];
            uint256 e = (index & 1 == 0) ? word & ENTRY_MASK : word >> ENTRY_BITS;
            if (e >> AMOUNT_BITS == seriesId) return index;
        }
    }

    /// @notice Amount held in `seriesId` (zero when absent).
    function amountOf(Book memory b, uint256 seriesId) internal pure returns (int256 amount) {
        uint256 index = indexOf(b, seriesId);
        if (index < b.count) (, amount) = entry(b, index);
    }

    /// @notice Adds `delta` to the position in `seriesId`, inserting or removing the entry as needed.
    /// @dev The caller checks that `newAmount` fits int96 and that the book stays within its bound. An insertion
    ///      uses the spare room `load` reserves: at most one insertion per loaded book.
    /// @return oldAmount The position before.
    /// @return newAmount The position after.
    function add(Book memory b, uint256 seriesId, int256 delta) internal pure returns (int256 oldAmount, int256 newAmount) {
        return addAt(b, indexOf(b, seriesId), seriesId, delta);
    }

    /// @notice `add` when the index of `seriesId` is already known (`count` when absent).
    function addAt(Book memory b, uint256 index, uint256 seriesId, int256 delta)
        internal
        pure
        returns (int256 oldAmount, int256 newAmount)
    {
        uint256 count = b.count;
        if (index < count) (, oldAmount) = entry(b, index);
        newAmount = oldAmount + delta;
        if (index == count) {
            if (newAmount == 0) return (oldAmount, newAmount);
            _set(b, index, _encode(seriesId, newAmount));
            b.count = count + 1;
        } else if (newAmount == 0) {
            uint256 last = count - 1;
            if (index != last) {
                uint256 lastWord = b.words[last >> 1];
                _set(b, index, (last & 1 == 0) ? lastWord & ENTRY_MASK : lastWord >> ENTRY_BITS);
            }
            _set(b, last, 0);
            b.count = last;
        } else {
            _set(b, index, _encode(seriesId, newAmount));
        }
    }

    /// @notice Writes back every word the edits touched.
    function store(mapping(uint256 => uint256) storage stored, Book memory b) internal {
        uint256 dirty = b.dirty;
        for (uint256 w; dirty != 0; ++w) {
            if (dirty & 1 != 0) stored[w] = b.words[w];
            dirty >>= 1;
        }
        b.dirty = 0;
    }

    /// @notice Number of short entries in the book.
    function shortCount(Book memory b) internal pure returns (uint256 shorts) {
        for (uint256 i; i < b.count; ++i) {
            (, int256 amount) = entry(b, i);
            if (amount < 0) ++shorts;
        }
    }

    /// @dev Writes entry `i` (a packed entry or zero) into its word and marks the word dirty.
    function _set(Book memory b, uint256 i, uint256 packed) private pure {
        uint256 w = i >> 1;
        uint256 word = b.words[w];
        b.words[w] = (i & 1 == 0)
            ? (word & ~ENTRY_MASK) | packed
            : (word & ENTRY_MASK) | (packed << ENTRY_BITS);
        b.dirty |= 1 << w;
    }

    /// @dev Packs one entry. The caller guarantees int96 range and a 32-bit id; the casts only reinterpret bits.
    function _encode(uint256 seriesId, int256 amount) private pure returns (uint256) {
        return (seriesId << AMOUNT_BITS) | (uint256(int256(int96(amount))) & AMOUNT_MASK);
    }
}
