"""Text as numbers: characters, words and SentencePiece subwords, one tokenizer per kind, and the batches cut from
them.

Every tokenizer that reserves ids reserves the same ones, so that networks and decoders never need to know which
tokenizer is in use: 0 padding, 1 unknown, 2 start of sequence, 3 end of sequence (the character language model
reserves none: it reads only characters it knows).
"""

PAD, UNK, BOS, EOS = 0, 1, 2, 3
SPECIALS = ("<pad>", "<unk>", "<s>", "</s>")
