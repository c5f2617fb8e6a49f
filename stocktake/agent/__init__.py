"""The assistant: LangChain agent over the engines, an offline planner, and LLM backends."""
