"""Exports for learning platforms: Moodle XML (cloze questions) and Canvas QTI 1.2 (a zip of quizzes).

Each problem file becomes one question (Moodle) or one quiz (Canvas) asking for the quantities its ask:
list names, with the tolerance its answer key's decimals give. questions.py gathers what both write.
"""
